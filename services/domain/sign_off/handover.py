"""A decider's seat on a waiting stage given to someone else, when the person asked to decide
has left (issue 20, orphaned owners): the seat moves, the decisions already taken stay.

The one asked instead must be able to decide at all, and be independent of the draft (its
writers, uploader and submitter may not decide it unless the route allows self-approval):
the same checks as when the stage started (``deciders.py``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.errors import Conflict, Invalid
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.models.sign_off import (
    SignOff,
    SignOffDecision,
    SignOffStage,
    SignOffStatus,
    StageStatus,
)
from services.domain.outbox.service import emit
from services.domain.sign_off.deciders import independence_of

# The stages whose seats are open: asked to decide, not yet decided.
WAITING = (StageStatus.ACTIVE,)
IN_FLIGHT = (SignOffStatus.IN_PROGRESS, SignOffStatus.AWAITING_AMENDMENT)


async def waiting_stage(
    session: AsyncSession, organisation_id: uuid.UUID, stage_id: uuid.UUID
) -> tuple[SignOffStage, SignOff] | None:
    """The stage of the organisation's sign-off in flight, locked, if it waits for deciders."""
    row = (
        await session.execute(
            select(SignOffStage, SignOff)
            .join(SignOff, SignOff.id == SignOffStage.sign_off_id)
            .where(
                SignOffStage.id == stage_id,
                SignOffStage.organisation_id == organisation_id,
                SignOffStage.status.in_(WAITING),
                SignOff.status.in_(IN_FLIGHT),
            )
            .with_for_update(of=SignOffStage)
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


def decided_in_round(person_id: uuid.UUID) -> ColumnElement[bool]:
    """The person (or a delegate for them) has decided the stage in its current round: their
    seat is taken, nothing of it is left to hand over."""
    return exists(
        select(SignOffDecision.id).where(
            SignOffDecision.stage_id == SignOffStage.id,
            SignOffDecision.round == SignOffStage.round,
            SignOffDecision.supersedes_id.is_(None),
            or_(
                SignOffDecision.decided_by_id == person_id,
                SignOffDecision.on_behalf_of_id == person_id,
            ),
        )
    )


async def _has_decided(session: AsyncSession, stage: SignOffStage, person_id: uuid.UUID) -> bool:
    found = await session.execute(
        select(SignOffStage.id).where(SignOffStage.id == stage.id, decided_in_round(person_id))
    )
    return found.first() is not None


async def _check_new_decider(
    session: AsyncSession, sign_off: SignOff, stage: SignOffStage, person: Person
) -> None:
    if person.id in stage.participants:
        raise Conflict(f"{person.name} is already asked to decide {stage.name!r}.")
    if not await authz.may_decide_at_all(session, [person.id]):
        raise Invalid(
            f"{person.name} holds no role that lets them decide a sign-off stage.",
            field="to_person_id",
        )
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    independence = await independence_of(session, sign_off, document)
    authz.check_not_conflicted(
        person.id,
        person.name,
        stage.name,
        independence.conflicts,
        allow_self_approval=independence.allow_self_approval,
    )


async def replace_decider(
    session: AsyncSession,
    principal: Principal,
    stage_id: uuid.UUID,
    from_person_id: uuid.UUID,
    to_person: Person,
) -> SignOffStage:
    """Give ``from_person_id``'s seat on a waiting stage to ``to_person`` (active, checked by
    the caller), who is asked to decide; an audit record on the sign-off."""
    found = await waiting_stage(session, principal.organisation_id, stage_id)
    if found is None:
        raise Conflict("The stage is not waiting for a decision.")
    stage, sign_off = found
    if from_person_id not in stage.participants:
        raise Conflict(f"The person is not asked to decide {stage.name!r}.")
    if await _has_decided(session, stage, from_person_id):
        raise Conflict(f"The person has already decided {stage.name!r} in this round.")
    await _check_new_decider(session, sign_off, stage, to_person)
    before = {"stage_id": str(stage.id), "participants": [str(p) for p in stage.participants]}
    stage.participants = [to_person.id if p == from_person_id else p for p in stage.participants]
    await session.flush()
    after = {"stage_id": str(stage.id), "participants": [str(p) for p in stage.participants]}
    await audit_changes.record_change(
        session, principal, sign_off, "sign_off.decider_replaced", before=before, after=after
    )
    # The one asked instead is told as the stage's deciders were when it started.
    await emit(
        session,
        events.SignOffStageStarted(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            stage_id=stage.id,
            document_id=sign_off.document_id,
            version_id=sign_off.version_id,
            stage_name=stage.name,
            round=stage.round,
            participant_ids=[to_person.id],
            board_id=stage.board_id,
            agenda_item_id=stage.agenda_item_id,
        ),
    )
    return stage
