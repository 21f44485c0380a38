"""Submitting a draft for sign-off (the route it follows, the answers and approvers it names, the
gates it must have passed), and finding sign-offs.

What comes next is in ``progress`` (the stage machine); decisions in ``decisions``; who decides
a stage and starting it in ``stages``; issuing the approved draft in ``issue``; answering,
amending and withdrawing in ``amendments``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as document_authz
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.documents.versions import latest_version
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.gates.service import GateStatus, check_gates, evidence_of, missing_gates
from services.domain.governance.definition import BoardDecider, PeopleDecider, RouteDefinition
from services.domain.governance.service import choose_route
from services.domain.models.documents import (
    NO_LONGER_IN_FORCE,
    Document,
    DocumentStatus,
    DocumentVersion,
)
from services.domain.models.governance import GovernanceRoute
from services.domain.models.sign_off import (
    OPEN_STATUSES,
    SignOff,
    SignOffStage,
    SignOffStatus,
    StageStatus,
)
from services.domain.outbox.service import emit
from services.domain.pagination import before_row
from services.domain.sign_off import deciders
from services.domain.sign_off import stages as staging
from services.domain.sign_off.commands import NewSignOff
from services.domain.sign_off.progress import advance, definition_of


async def draft_of(
    session: AsyncSession, document: Document, version_id: uuid.UUID, field: str
) -> DocumentVersion:
    version = await session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document.id:
        raise Invalid("No such version of this document.", field=field)
    if version.is_issued:
        raise Invalid("Submit a draft version (0.3, 1.2), not an issued one.", field=field)
    return version


def check_answers(
    definition: RouteDefinition, answers: Mapping[str, bool], *, complete: bool
) -> None:
    asked = {q.key: q.text for q in definition.questions}
    unknown = sorted(set(answers) - set(asked))
    if unknown:
        raise Invalid(f"The route does not ask {', '.join(unknown)}.", field="answers")
    for key, value in answers.items():
        if not isinstance(value, bool):
            raise Invalid(f"Answer {key} with true or false.", field=f"answers.{key}")
    missing = [asked[k] for k in asked if k not in answers]
    if complete and missing:
        raise Invalid(f"Answer the route's questions: {' '.join(missing)}", field="answers")


async def _check_approvers(
    session: AsyncSession,
    definition: RouteDefinition,
    approvers: Mapping[str, Sequence[uuid.UUID]],
    document: Document,
) -> dict[str, list[str]]:
    """The people the submitter names for stages whose route names nobody (NCT: several RSMs)."""
    open_stages = {
        s.key: s
        for s in definition.stages
        if isinstance(s.decider, PeopleDecider) and not s.decider.people
    }
    unknown = sorted(set(approvers) - set(open_stages))
    if unknown:
        raise Invalid(
            f"Stages {', '.join(unknown)} do not take named approvers.", field="approvers"
        )
    chosen: dict[str, list[str]] = {}
    for key, stage in open_stages.items():
        people = list(dict.fromkeys(uuid.UUID(str(p)) for p in approvers.get(key, [])))
        field = f"approvers.{key}"
        if not people:
            raise Invalid(f"Name who decides the stage {stage.name!r}.", field=field)
        # Another organisation's person answers exactly like one that does not exist.
        found = await deciders.active_people(session, document.organisation_id, people)
        if len(found) < len(people):
            raise Invalid("No such active person in this organisation.", field=field)
        if await authz.may_decide_at_all(session, people) != set(people):
            raise Invalid(
                f"Everyone named to decide {stage.name!r} must hold a role that lets them "
                "decide a sign-off stage (approver or admin).",
                field=field,
            )
        decider = stage.decider
        assert isinstance(decider, PeopleDecider)
        required = {"all": len(people), "any": 1}.get(decider.rule, decider.count or 1)
        if required > len(people):
            raise Invalid(
                f"{stage.name!r} needs {required} approvers but {len(people)} are named.",
                field=field,
            )
        chosen[key] = [str(p) for p in people]
    return chosen


async def _check_independence(
    session: AsyncSession, sign_off: SignOff, definition: RouteDefinition, document: Document
) -> None:
    """Refuse, on submission, a stage before issue that only the draft's writers could decide.

    Boards are left out (a board at a meeting decides as a body; by circulation its writers have
    no vote), and so are stages whose deciders cannot be known yet (the stage says so when it
    starts).
    """
    independence = await deciders.independence_of(session, sign_off, document)
    for stage in definition.stages:
        if isinstance(stage.decider, BoardDecider):
            continue
        try:
            await deciders.resolve(
                session,
                document,
                stage.decider,
                chosen=[uuid.UUID(i) for i in sign_off.approvers.get(stage.key, [])],
                stage_name=stage.name,
                conflicts=independence.conflicts,
                allow_self_approval=independence.allow_self_approval,
            )
        except Conflict:
            continue


async def require_gates(
    session: AsyncSession, document: Document, draft: DocumentVersion, definition: RouteDefinition
) -> None:
    """Conflict naming each gate of the route the draft has not passed (``missing_gates``)."""
    missing = await missing_gates(session, document, draft, definition.gates)
    if missing:
        raise Conflict(
            "Before sign-off, the route needs: " + " ".join(m.detail for m in missing),
            missing_gates=[
                {"gate": m.gate, "detail": m.detail, "assessment": evidence_of(m.standing)}
                for m in missing
            ],
        )


async def readiness(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    *,
    version_id: uuid.UUID | None,
    route_id: uuid.UUID | None,
) -> tuple[GovernanceRoute, RouteDefinition, DocumentVersion | None, list[GateStatus]]:
    """The route a submission would follow and each of its gates for the draft: met (and by
    what) or missing (and what to do)."""
    document_authz.check_read_drafts(
        principal, document, "Only the policy team and the people named on a document see this."
    )
    route, version = await choose_route(session, document, route_id)
    definition = definition_of(version)
    draft = (
        await draft_of(session, document, version_id, "version_id")
        if version_id
        else await latest_version(session, document.id)
    )
    if draft is None or draft.is_issued:
        return route, definition, None, []
    return route, definition, draft, await check_gates(session, document, draft, definition.gates)


async def _document_to_submit(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> Document:
    """The document (locked), if the caller may submit it and it is still in force."""
    try:
        document = await get_document(session, principal, document_id, for_update=True)
    except NotFound:
        raise Invalid("No such document.", field="document_id") from None
    authz.check_submit(principal, document)
    if document.status in NO_LONGER_IN_FORCE:
        raise Conflict(f"The document is {document.status}.")
    return document


def _check_effective_on(effective_on: date | None) -> None:
    if effective_on is not None and effective_on < london_today():
        raise Invalid("The effective date cannot be in the past.", field="effective_on")


async def _check_none_in_flight(session: AsyncSession, document: Document) -> None:
    in_flight = await session.execute(
        select(SignOff.id).where(
            SignOff.document_id == document.id, SignOff.status.in_(OPEN_STATUSES)
        )
    )
    if in_flight.first() is not None:
        raise Conflict("This document already has a sign-off in progress.")


def _add_stages(session: AsyncSession, sign_off: SignOff, definition: RouteDefinition) -> None:
    """The route's stages, pending, in its order (with room between them for referrals)."""
    for index, stage in enumerate(definition.stages):
        session.add(
            SignOffStage(
                id=new_id(),
                organisation_id=sign_off.organisation_id,
                sign_off_id=sign_off.id,
                position=(index + 1) * staging.STAGE_GAP,
                key=stage.key,
                name=stage.name,
                definition=stage.model_dump(mode="json"),
                status=StageStatus.PENDING,
                round=1,
                participants=[],
                required=1,
            )
        )


async def submit(session: AsyncSession, principal: Principal, command: NewSignOff) -> SignOff:
    """Submit a draft version for sign-off along its route (or the route named)."""
    document = await _document_to_submit(session, principal, command.document_id)
    draft = await draft_of(session, document, command.version_id, "version_id")
    route, route_version = await choose_route(session, document, command.route_id)
    definition = definition_of(route_version)
    answers = dict(command.answers)
    check_answers(definition, answers, complete=True)
    approvers = await _check_approvers(session, definition, command.approvers, document)
    _check_effective_on(command.effective_on)
    await _check_none_in_flight(session, document)
    await require_gates(session, document, draft, definition)
    sign_off = SignOff(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=draft.id,
        route_version_id=route_version.id,
        status=SignOffStatus.IN_PROGRESS,
        answers=answers,
        approvers=approvers,
        effective_on=command.effective_on,
        review_interval_months=command.review_interval_months,
        previous_status=document.status,
        submitted_by_id=principal.person_id,
        submitted_at=utcnow(),
    )
    session.add(sign_off)
    _add_stages(session, sign_off, definition)
    before = audit.snapshot(document)
    document.status = DocumentStatus.AWAITING_APPROVAL
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("This document already has a sign-off in progress.") from None
    await _check_independence(session, sign_off, definition, document)
    await audit_changes.record_change(
        session,
        principal,
        sign_off,
        "sign_off.submitted",
        before=before,
        after={
            **audit.snapshot(sign_off),
            "route": route.key,
            "route_version": route_version.number,
        },
    )
    await emit(
        session,
        events.SignOffSubmitted(
            organisation_id=document.organisation_id,
            sign_off_id=sign_off.id,
            document_id=document.id,
            version_id=draft.id,
            route_key=route.key,
        ),
    )
    await advance(session, principal, sign_off)
    return sign_off


async def get_sign_off(
    session: AsyncSession, principal: Principal, sign_off_id: uuid.UUID, *, for_update: bool = False
) -> SignOff:
    """A sign-off the caller may see: the policy team, people named on the document, deciders."""
    query = select(SignOff).where(
        SignOff.id == sign_off_id, SignOff.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    sign_off = (await session.execute(query)).scalar_one_or_none()
    if sign_off is None:
        raise NotFound("No such sign-off.")
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    if await authz.can_read(session, principal, sign_off, document, london_today()):
        return sign_off
    raise NotFound("No such sign-off.")


async def list_sign_offs(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None,
    status: SignOffStatus | None,
    awaiting_me: bool,
    after: tuple[Any, uuid.UUID] | None,
    limit: int,
) -> list[SignOff]:
    """Sign-offs, newest first: all of them for the policy team, else those the caller is in."""
    conditions: list[ColumnElement[bool]] = [SignOff.organisation_id == principal.organisation_id]
    if document_id is not None:
        conditions.append(SignOff.document_id == document_id)
    if status is not None:
        conditions.append(SignOff.status == status)
    seats = await authz.seats_of(session, principal, london_today())
    conditions.append(authz.readable(principal, seats))
    if awaiting_me:
        conditions.append(
            exists().where(
                SignOffStage.sign_off_id == SignOff.id,
                SignOffStage.status == StageStatus.ACTIVE,
                SignOffStage.participants.overlap(seats or [uuid.UUID(int=0)]),
            )
        )
    if after is not None:
        conditions.append(before_row(SignOff.created_at, SignOff.id, after))
    query = (
        select(SignOff)
        .where(*conditions)
        .order_by(SignOff.created_at.desc(), SignOff.id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
