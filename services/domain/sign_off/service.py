"""Submitting a draft for sign-off, answering the route's questions, amending and withdrawing.

Decisions are in ``decisions``; who decides a stage and starting it in ``stages``; issuing
the approved draft in ``issue``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import documents as document_authz
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.boards import agenda
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.documents.versions import latest_version
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.gates.service import GateStatus, check_gates, evidence_of, missing_gates
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document, DocumentVersion
from services.domain.models.meetings import AgendaItem
from services.domain.models.routes import GovernanceRoute, RouteVersion
from services.domain.models.sign_off import OPEN_STATUSES, SignOff, SignOffStage
from services.domain.outbox.service import emit
from services.domain.pagination import before_row
from services.domain.routes.definition import BoardDecider, PeopleDecider, RouteDefinition
from services.domain.routes.service import choose_route
from services.domain.sign_off import stages as staging
from services.domain.sign_off.issue import issue_version
from services.domain.sign_off.withdrawal import withdraw_issue
from services.domain.text import STORED

# Where the document goes back to when a sign-off ends without an issue.
RESTING = {"awaiting_approval": "draft", "in_consultation": "draft"}


async def route_of(
    session: AsyncSession, sign_off: SignOff
) -> tuple[GovernanceRoute, RouteVersion]:
    version = await session.get(RouteVersion, sign_off.route_version_id)
    assert version is not None
    route = await session.get(GovernanceRoute, version.route_id)
    assert route is not None
    return route, version


def definition_of(version: RouteVersion) -> RouteDefinition:
    return RouteDefinition.model_validate(version.definition, context=STORED)


async def _draft(
    session: AsyncSession, document: Document, version_id: uuid.UUID, field: str
) -> DocumentVersion:
    version = await session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document.id:
        raise Invalid("No such version of this document.", field=field)
    if version.is_issued:
        raise Invalid("Submit a draft version (0.3, 1.2), not an issued one.", field=field)
    return version


def _check_answers(
    definition: RouteDefinition, answers: Mapping[str, Any], *, complete: bool
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
    approvers: Mapping[str, Any],
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
        found = await staging.active_people(session, document.organisation_id, people)
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
    independence = await staging.independence_of(session, sign_off, document)
    for stage in definition.stages:
        if isinstance(stage.decider, BoardDecider):
            continue
        try:
            await staging.resolve(
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


async def _require_gates(
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
        await _draft(session, document, version_id, "version_id")
        if version_id
        else await latest_version(session, document.id)
    )
    if draft is None or draft.is_issued:
        return route, definition, None, []
    return route, definition, draft, await check_gates(session, document, draft, definition.gates)


async def submit(session: AsyncSession, principal: Principal, fields: Mapping[str, Any]) -> SignOff:
    """Submit a draft version for sign-off along its route (or the route named)."""
    try:
        document = await get_document(session, principal, fields["document_id"], for_update=True)
    except NotFound:
        raise Invalid("No such document.", field="document_id") from None
    authz.check_submit(principal, document)
    if document.status in NO_LONGER_IN_FORCE:
        raise Conflict(f"The document is {document.status}.")
    draft = await _draft(session, document, fields["version_id"], "version_id")
    route, route_version = await choose_route(session, document, fields.get("route_id"))
    definition = definition_of(route_version)
    answers = dict(fields.get("answers") or {})
    _check_answers(definition, answers, complete=True)
    approvers = await _check_approvers(
        session, definition, dict(fields.get("approvers") or {}), document
    )
    effective_on: date | None = fields.get("effective_on")
    if effective_on is not None and effective_on < london_today():
        raise Invalid("The effective date cannot be in the past.", field="effective_on")
    in_flight = await session.execute(
        select(SignOff.id).where(
            SignOff.document_id == document.id, SignOff.status.in_(OPEN_STATUSES)
        )
    )
    if in_flight.first() is not None:
        raise Conflict("This document already has a sign-off in progress.")
    await _require_gates(session, document, draft, definition)
    sign_off = SignOff(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=draft.id,
        route_version_id=route_version.id,
        status="in_progress",
        answers=answers,
        approvers=approvers,
        effective_on=effective_on,
        review_interval_months=fields.get("review_interval_months"),
        previous_status=document.status,
        submitted_by_id=principal.person_id,
        submitted_at=utcnow(),
    )
    session.add(sign_off)
    for index, stage in enumerate(definition.stages):
        session.add(
            SignOffStage(
                id=new_id(),
                organisation_id=document.organisation_id,
                sign_off_id=sign_off.id,
                position=(index + 1) * staging.STAGE_GAP,
                key=stage.key,
                name=stage.name,
                definition=stage.model_dump(mode="json"),
                status="pending",
                round=1,
                participants=[],
                required=1,
            )
        )
    before = audit.snapshot(document)
    document.status = "awaiting_approval"
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("This document already has a sign-off in progress.") from None
    await _check_independence(session, sign_off, definition, document)
    await audit.record(
        session,
        principal,
        organisation_id=document.organisation_id,
        action="sign_off.submitted",
        entity_type="sign_off",
        entity_id=sign_off.id,
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


async def advance(session: AsyncSession, principal: Principal, sign_off: SignOff) -> None:
    """Start the next stage that applies; issue the draft when no stage before issue is left."""
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    if sign_off.status == "in_progress":
        stage = await staging.next_pending(session, sign_off, after_issue=False)
        if stage is not None:
            await staging.start_stage(session, sign_off, stage, document)
            return
        _, route_version = await route_of(session, sign_off)
        await issue_version(session, principal, sign_off, definition_of(route_version))
        sign_off.status = "issued"
    if sign_off.status == "issued":
        stage = await staging.next_pending(session, sign_off, after_issue=True)
        if stage is not None:
            await staging.start_stage(session, sign_off, stage, document)
            return
        await close(session, principal, sign_off, "completed")


async def close(
    session: AsyncSession, principal: Principal, sign_off: SignOff, status: str
) -> None:
    """End a sign-off; unless it issued the draft, the document goes back to where it was.

    A refused ratification withdraws the version the sign-off issued (``withdrawal``).
    """
    if status == "ratification_refused" and sign_off.issued_version_id is not None:
        # Dorset 4.5.2: the version issued on interim approval is withdrawn.
        await withdraw_issue(session, principal, sign_off)
    before = audit.snapshot(sign_off)
    sign_off.status = status
    sign_off.closed_at = utcnow()
    if sign_off.issued_version_id is None:
        document = await session.get(Document, sign_off.document_id)
        assert document is not None
        document.status = RESTING.get(sign_off.previous_status, sign_off.previous_status)
    for stage in await staging.stages_of(session, sign_off.id):
        if stage.status in ("pending", "active"):
            stage.status = "cancelled" if status in ("withdrawn", "rejected") else "skipped"
            stage.finished_at = utcnow()
            await _withdraw_agenda_item(session, principal, stage)
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=sign_off.organisation_id,
        action=f"sign_off.{status}",
        entity_type="sign_off",
        entity_id=sign_off.id,
        before=before,
        after=audit.snapshot(sign_off),
    )
    await emit(
        session,
        events.SignOffClosed(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            document_id=sign_off.document_id,
            status=status,
        ),
    )


async def _withdraw_agenda_item(
    session: AsyncSession, principal: Principal, stage: SignOffStage
) -> None:
    """A board no longer needs to decide an item whose sign-off has ended."""
    if stage.agenda_item_id is None:
        return
    item = await session.get(AgendaItem, stage.agenda_item_id)
    if item is not None and item.status == "planned":
        engine = staging.engine_principal(
            stage.organisation_id, principal.person_id, principal.label
        )
        await agenda.withdraw_item(session, engine, item, expected_version=item.row_version)


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
    status: str | None,
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
                SignOffStage.status == "active",
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


async def answer_questions(
    session: AsyncSession, principal: Principal, sign_off: SignOff, answers: Mapping[str, Any]
) -> SignOff:
    """Change answers (LBBD: a key decision?) while the stages they decide have not started."""
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    authz.check_submit(principal, document)
    if sign_off.status not in ("in_progress", "awaiting_amendment"):
        raise Conflict(f"The sign-off is {sign_off.status}.")
    _, route_version = await route_of(session, sign_off)
    _check_answers(definition_of(route_version), answers, complete=False)
    changed = {k for k, v in answers.items() if sign_off.answers.get(k) != v}
    for stage in await staging.stages_of(session, sign_off.id):
        condition = staging.stage_definition(stage).condition
        if condition and condition.question in changed and stage.status != "pending":
            raise Conflict(
                f"The stage {stage.name!r} has already {stage.status.replace('_', ' ')}: "
                "its question can no longer change."
            )
    if not changed:
        return sign_off
    before = audit.snapshot(sign_off)
    sign_off.answers = {**sign_off.answers, **answers}
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=sign_off.organisation_id,
        action="sign_off.answered",
        entity_type="sign_off",
        entity_id=sign_off.id,
        before=before,
        after=audit.snapshot(sign_off),
    )
    return sign_off


async def amend(
    session: AsyncSession, principal: Principal, sign_off: SignOff, version_id: uuid.UUID
) -> SignOff:
    """Send the amended draft back after an approval with conditions (NCT 3.4 a vii 2-3).

    It returns to the stage that checks the conditions: the one that set them, or, when a
    higher body set them, the approver who referred it, unless that body asked to see it again.
    """
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    authz.check_submit(principal, document)
    if sign_off.status != "awaiting_amendment" or sign_off.check_stage_id is None:
        raise Conflict("The sign-off is not waiting for amendments.")
    draft = await _draft(session, document, version_id, "version_id")
    current = await session.get(DocumentVersion, sign_off.version_id)
    assert current is not None
    if (draft.major, draft.minor) <= (current.major, current.minor):
        raise Conflict(
            f"Upload the amended draft as a new version: it must be later than {current.number}."
        )
    # The amended draft is the one approved and issued: it meets the route's gates itself.
    _, route_version = await route_of(session, sign_off)
    await _require_gates(session, document, draft, definition_of(route_version))
    stage = await session.get(SignOffStage, sign_off.check_stage_id)
    assert stage is not None
    before = audit.snapshot(sign_off)
    sign_off.version_id = draft.id
    sign_off.status = "in_progress"
    stage.round += 1
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=sign_off.organisation_id,
        action="sign_off.amended",
        entity_type="sign_off",
        entity_id=sign_off.id,
        before=before,
        after=audit.snapshot(sign_off),
    )
    await staging.start_stage(session, sign_off, stage, document)
    return sign_off


async def withdraw(
    session: AsyncSession, principal: Principal, sign_off: SignOff, reason: str
) -> SignOff:
    """Take a draft out of sign-off before it is issued."""
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    authz.check_submit(principal, document)
    if sign_off.status not in ("in_progress", "awaiting_amendment"):
        raise Conflict(f"The sign-off is {sign_off.status}; it can no longer be withdrawn.")
    await close(session, principal, sign_off, "withdrawn")
    if reason:
        await audit.record(
            session,
            principal,
            organisation_id=sign_off.organisation_id,
            action="sign_off.withdrawal_reason",
            entity_type="sign_off",
            entity_id=sign_off.id,
            after={"reason": reason},
        )
    return sign_off
