"""Decisions on a sign-off stage: by its approver (or their delegate), or by circulation; a
board's minuted decision at a meeting is in ``meeting_decisions``.

NCT 3.4: the RSM approves, approves with conditions (the RO amends and the RSM checks), or
defers to SLT. A decision is never edited: a correction supersedes it, while the stage has not
moved on. Two approvers at the same moment: the sign-off row is locked, so one wins and the
other is told the stage has moved on (409).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.governance.definition import DECIDER, Decider, PeopleDecider, Stage
from services.domain.governance.service import check_decider
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
from services.domain.sign_off import deciders, voting
from services.domain.sign_off import stages as staging
from services.domain.sign_off.commands import NewDecision
from services.domain.sign_off.progress import advance, close

ALLOWED = {
    "approval": ("approved", "approved_with_conditions", "deferred", "rejected"),
    "information": ("noted",),
    "ratification": ("approved", "rejected"),
}
ABSTAINED = voting.ABSTAINED


async def decisions_of(session: AsyncSession, sign_off_id: uuid.UUID) -> list[SignOffDecision]:
    rows = await session.execute(
        select(SignOffDecision)
        .where(SignOffDecision.sign_off_id == sign_off_id)
        .order_by(SignOffDecision.recorded_at, SignOffDecision.id)
    )
    return list(rows.scalars())


async def _current(session: AsyncSession, stage: SignOffStage) -> list[SignOffDecision]:
    """The stage's decisions in its current round that nothing supersedes."""
    rows = list(
        (
            await session.execute(
                select(SignOffDecision).where(
                    SignOffDecision.stage_id == stage.id, SignOffDecision.round == stage.round
                )
            )
        ).scalars()
    )
    superseded = {d.supersedes_id for d in rows if d.supersedes_id}
    return [d for d in rows if d.id not in superseded]


async def _active_stage(session: AsyncSession, sign_off: SignOff) -> SignOffStage | None:
    for stage in await staging.stages_of(session, sign_off.id):
        if stage.status == StageStatus.ACTIVE:
            return stage
    return None


def _referral(stage: Stage, decision: NewDecision) -> Decider:
    if decision.refer_to is not None:
        return decision.refer_to
    if stage.refer_to is None:
        raise Invalid(
            "Say which higher body the decision is deferred to (refer_to): the route "
            "names none for this stage.",
            field="refer_to",
        )
    return stage.refer_to


async def _check_discussed(
    session: AsyncSession,
    sign_off: SignOff,
    stage: Stage,
    decision: NewDecision,
    decided_by: set[uuid.UUID | None],
) -> None:
    """NCT 2.3.3: a deferral on a stage that says who it is discussed with names that person,
    someone of the organisation other than the decider; only a deferral names one."""
    person_id = decision.discussed_with_id
    if person_id is None:
        if decision.outcome == "deferred" and stage.deferral_discussed_with:
            raise Invalid(
                f"Discuss the deferral with {stage.deferral_discussed_with} first, and name "
                "them (discussed_with_id).",
                field="discussed_with_id",
            )
        return
    if decision.outcome != "deferred":
        raise Invalid("Only a deferral names who it was discussed with.", field="discussed_with_id")
    person = await session.get(Person, person_id)
    if person is None or person.organisation_id != sign_off.organisation_id:
        raise Invalid("No such person in your organisation.", field="discussed_with_id")
    if not person.is_active or person_id in decided_by:
        raise Invalid(
            "Name an active colleague other than the decider you discussed the deferral with.",
            field="discussed_with_id",
        )


def _allowed(stage: Stage) -> tuple[str, ...]:
    """The outcomes a person may give at the stage: a vote by a majority is for or against
    (or an abstention where allowed), not a deferral of the whole panel's decision."""
    allowed = ALLOWED[stage.purpose]
    decider = stage.decider
    if isinstance(decider, PeopleDecider):
        if decider.rule in ("simple_majority", "absolute_majority"):
            allowed = tuple(o for o in allowed if o != "deferred")
        if decider.allow_abstention:
            allowed = (*allowed, ABSTAINED)
    return allowed


def check_outcome(stage: Stage, decision: NewDecision) -> None:
    outcome = decision.outcome
    allowed = _allowed(stage)
    if outcome not in allowed:
        raise Invalid(
            f"A {stage.purpose} stage is decided {' or '.join(allowed)}.", field="outcome"
        )
    conditions = [c for c in decision.conditions if c.strip()]
    if outcome == "approved_with_conditions" and not conditions:
        raise Invalid(
            "An approval with conditions lists the amendments needed.", field="conditions"
        )
    if outcome != "approved_with_conditions" and conditions:
        raise Invalid("Only an approval with conditions has conditions.", field="conditions")
    if outcome in ("rejected", ABSTAINED) and not decision.reasons.strip():
        word = "a rejection" if outcome == "rejected" else "an abstention"
        raise Invalid(f"Give the reasons for {word}.", field="reasons")
    if decision.see_again and outcome != "approved_with_conditions":
        raise Invalid("see_again goes with an approval with conditions.", field="see_again")


async def reopen_for_correction(
    session: AsyncSession, sign_off: SignOff, stage: SignOffStage, target: SignOffDecision
) -> None:
    """Allow superseding a decision only while its stage has not moved on."""
    if target.stage_id != stage.id or target.round != stage.round:
        raise Conflict("That decision is from an earlier round; it can no longer be corrected.")
    if stage.status == StageStatus.ACTIVE:
        return
    if (
        stage.status == StageStatus.CONDITIONS_SET
        and sign_off.status == SignOffStatus.AWAITING_AMENDMENT
    ):
        # The conditions are not yet answered by an amended draft: they can still change.
        stage.status = StageStatus.ACTIVE
        stage.tally = None
        sign_off.status = SignOffStatus.IN_PROGRESS
        sign_off.check_stage_id = None
        return
    raise Conflict("The sign-off has moved on since that decision; it can no longer be superseded.")


async def add_decision(
    session: AsyncSession,
    principal: Principal,
    sign_off: SignOff,
    stage: SignOffStage,
    decision: SignOffDecision,
) -> SignOffDecision:
    session.add(decision)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "Another decision on this stage was recorded at the same moment; fetch the "
            "sign-off again."
        ) from None
    await audit_changes.record_change(
        session,
        principal,
        sign_off,
        "sign_off.decision_recorded",
        after={"decision": audit.snapshot(decision), "stage": stage.key},
    )
    await emit(
        session,
        events.SignOffDecisionRecorded(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            stage_id=stage.id,
            decision_id=decision.id,
            document_id=sign_off.document_id,
            version_id=decision.version_id,
            outcome=decision.outcome,
            decided_by_id=decision.decided_by_id,
            on_behalf_of_id=decision.on_behalf_of_id,
        ),
    )
    await _apply(session, principal, sign_off, stage)
    return decision


async def _apply(
    session: AsyncSession, principal: Principal, sign_off: SignOff, stage: SignOffStage
) -> None:
    """What the stage's decisions so far mean for it and for the sign-off: it settles as soon
    as its outcome is certain (``voting``), keeping the tally."""
    current = await _current(session, stage)
    definition = staging.stage_definition(stage)
    now = utcnow()
    deferral = next((d for d in current if d.outcome == "deferred"), None)
    tally = voting.count_votes(
        voting.rule_of(definition.decider, stage.required),
        len(stage.participants) or stage.required,
        [d.outcome for d in current if d.outcome != "deferred"],
    )
    if tally.outcome is not None or deferral is not None:
        stage.tally = tally.as_json()
        stage.finished_at = now
    if tally.outcome == "refused":
        stage.status = StageStatus.REJECTED
        refused = definition.purpose == "ratification"
        await close(
            session,
            principal,
            sign_off,
            SignOffStatus.RATIFICATION_REFUSED if refused else SignOffStatus.REJECTED,
        )
        return
    if deferral is not None:
        stage.status = StageStatus.DEFERRED
        decider = DECIDER.validate_python(deferral.referred_to)
        name = await staging.referral_name(session, decider)
        referral = await staging.add_referral(session, sign_off, stage, decider, name)
        document = await _document(session, sign_off)
        await staging.start_stage(session, sign_off, referral, document)
        return
    if tally.outcome is None:
        return  # waiting for more of the people who decide it
    if any(d.outcome == "approved_with_conditions" for d in current):
        stage.status = StageStatus.CONDITIONS_SET
        sign_off.status = SignOffStatus.AWAITING_AMENDMENT
        # NCT: conditions set by SLT go back to the RSM to check, unless SLT asked to see it.
        see_again = any(d.see_again for d in current)
        sign_off.check_stage_id = (
            stage.deferred_from_id if stage.deferred_from_id and not see_again else stage.id
        )
        await session.flush()
        return
    stage.status = (
        StageStatus.NOTED if definition.purpose == "information" else StageStatus.APPROVED
    )
    # The amended draft met the conditions: every stage that set them is now approved.
    for other in await staging.stages_of(session, sign_off.id):
        if other.status == StageStatus.CONDITIONS_SET:
            other.status = StageStatus.APPROVED
    sign_off.check_stage_id = None
    await session.flush()
    await advance(session, principal, sign_off)


async def _document(session: AsyncSession, sign_off: SignOff) -> Document:
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    return document


async def record_decision(
    session: AsyncSession, principal: Principal, sign_off: SignOff, command: NewDecision
) -> SignOffDecision:
    """A person's decision on the stage waiting for them (``sign_off`` locked by the caller)."""
    if command.version_id != sign_off.version_id:
        raise Conflict(
            "That version is no longer the one submitted for sign-off; fetch the sign-off again.",
            submitted_version_id=str(sign_off.version_id),
        )
    stage, target = await _stage_to_decide(session, sign_off, command)
    document = await _document(session, sign_off)
    independence = await deciders.independence_of(session, sign_off, document)
    seat = await authz.check_decide(
        session,
        principal,
        stage,
        independence.conflicts,
        london_today(),
        allow_self_approval=independence.allow_self_approval,
    )
    decided_by, on_behalf_of = seat.person_id, seat.on_behalf_of_id
    if target is not None:
        authz.check_correct(principal, seat, target.on_behalf_of_id or target.decided_by_id)
        await reopen_for_correction(session, sign_off, stage, target)
    else:
        await _check_not_decided(session, stage, on_behalf_of or decided_by)
    definition = staging.stage_definition(stage)
    check_outcome(definition, command)
    referred_to: dict[str, Any] | None = None
    if command.outcome == "deferred":
        decider = _referral(definition, command)
        await check_decider(session, sign_off.organisation_id, decider)
        referred_to = decider.model_dump(mode="json")
    await _check_discussed(session, sign_off, definition, command, {decided_by, on_behalf_of})
    decision = SignOffDecision(
        id=new_id(),
        organisation_id=sign_off.organisation_id,
        sign_off_id=sign_off.id,
        stage_id=stage.id,
        round=stage.round,
        version_id=sign_off.version_id,
        outcome=command.outcome,
        method="circulation" if stage.board_id else "individual",
        conditions=[c.strip() for c in command.conditions if c.strip()],
        reasons=command.reasons,
        see_again=command.see_again,
        referred_to=referred_to,
        discussed_with_id=command.discussed_with_id,
        decided_by_id=decided_by,
        on_behalf_of_id=on_behalf_of,
        is_self_approved=seat.is_self_approved,
        recorded_by_id=principal.person_id,
        recorded_by_label=principal.label[:300],
        recorded_at=utcnow(),
        supersedes_id=command.supersedes_id,
    )
    return await add_decision(session, principal, sign_off, stage, decision)


async def _stage_to_decide(
    session: AsyncSession, sign_off: SignOff, command: NewDecision
) -> tuple[SignOffStage, SignOffDecision | None]:
    """The stage a person's decision is on, and the decision it corrects: that decision's
    stage, else the one waiting for a decision (not a board's at a meeting)."""
    supersedes_id = command.supersedes_id
    target: SignOffDecision | None = None
    if supersedes_id is not None:
        target = await session.get(SignOffDecision, supersedes_id)
        if target is None or target.sign_off_id != sign_off.id:
            raise Invalid("No such decision on this sign-off.", field="supersedes_id")
        stage = await session.get(SignOffStage, target.stage_id)
        assert stage is not None
    else:
        if sign_off.status == SignOffStatus.AWAITING_AMENDMENT:
            raise Conflict("The sign-off is waiting for the amended draft.")
        if sign_off.status not in (SignOffStatus.IN_PROGRESS, SignOffStatus.ISSUED):
            raise Conflict(f"The sign-off is {sign_off.status.replace('_', ' ')}.")
        found = await _active_stage(session, sign_off)
        if found is None:
            raise Conflict("No stage of this sign-off is waiting for a decision.")
        stage = found
    if command.stage_id is not None and command.stage_id != stage.id:
        raise Conflict(
            "That stage is not the one waiting for a decision; fetch the sign-off again."
        )
    if stage.agenda_item_id is not None and stage.board_id is not None:
        raise Conflict(
            f"The stage {stage.name!r} is decided by the board at its meeting: record it in "
            f"the minutes (POST /v1/meetings/{{id}}/decisions on agenda item "
            f"{stage.agenda_item_id})."
        )
    return stage, target


async def _check_not_decided(
    session: AsyncSession, stage: SignOffStage, seat_holder: uuid.UUID | None
) -> None:
    """One decision per seat and round: a change supersedes the earlier one."""
    mine = [
        d
        for d in await _current(session, stage)
        if (d.on_behalf_of_id or d.decided_by_id) == seat_holder
    ]
    if mine:
        raise Conflict(
            "You have already decided this stage; to change it, supersede your decision.",
            decision_id=str(mine[0].id),
        )
