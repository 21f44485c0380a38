"""Decisions on a sign-off stage: by its approver (or their delegate), by circulation, or minuted
by a board at a meeting.

NCT 3.4: the RSM approves, approves with conditions (the RO amends and the RSM checks), or
defers to SLT. A decision is never edited: a correction supersedes it, while the stage has not
moved on. Two approvers at the same moment: the sign-off row is locked, so one wins and the
other is told the stage has moved on (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.documents import Document
from services.domain.models.meetings import AgendaItem, MeetingDecision
from services.domain.models.sign_off import SignOff, SignOffDecision, SignOffStage
from services.domain.outbox.service import emit
from services.domain.routes.definition import DECIDER, Decider, Stage
from services.domain.routes.service import check_decider
from services.domain.sign_off import stages as staging
from services.domain.sign_off.service import advance, close

ALLOWED = {
    "approval": ("approved", "approved_with_conditions", "deferred", "rejected"),
    "information": ("noted",),
    "ratification": ("approved", "rejected"),
}
AGREEING = ("approved", "approved_with_conditions", "noted")
# A board's minuted outcome as a sign-off decision. "deferred" at a meeting carries the item
# to the next meeting and decides nothing yet.
FROM_MEETING = {
    "approved": "approved",
    "approved_with_conditions": "approved_with_conditions",
    "referred": "deferred",
    "rejected": "rejected",
    "noted": "noted",
}


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
        if stage.status == "active":
            return stage
    return None


def _referral(stage: Stage, fields: Mapping[str, Any]) -> Decider:
    raw = fields.get("refer_to")
    if raw is None:
        if stage.refer_to is None:
            raise Invalid(
                "Say which higher body the decision is deferred to (refer_to): the route "
                "names none for this stage.",
                field="refer_to",
            )
        return stage.refer_to
    try:
        return DECIDER.validate_python(raw)
    except ValidationError as error:
        raise Invalid(
            f"refer_to is not a valid decider: {error.errors()[0]['msg']}.", field="refer_to"
        ) from None


def _check_outcome(stage: Stage, fields: Mapping[str, Any]) -> None:
    outcome = fields["outcome"]
    allowed = ALLOWED[stage.purpose]
    if outcome not in allowed:
        raise Invalid(
            f"A {stage.purpose} stage is decided {' or '.join(allowed)}.", field="outcome"
        )
    conditions = [c for c in fields.get("conditions") or [] if c.strip()]
    if outcome == "approved_with_conditions" and not conditions:
        raise Invalid(
            "An approval with conditions lists the amendments needed.", field="conditions"
        )
    if outcome != "approved_with_conditions" and conditions:
        raise Invalid("Only an approval with conditions has conditions.", field="conditions")
    if outcome == "rejected" and not (fields.get("reasons") or "").strip():
        raise Invalid("Give the reasons for a rejection.", field="reasons")
    if fields.get("see_again") and outcome != "approved_with_conditions":
        raise Invalid("see_again goes with an approval with conditions.", field="see_again")


async def _reopen_for_correction(
    session: AsyncSession, sign_off: SignOff, stage: SignOffStage, target: SignOffDecision
) -> None:
    """Allow superseding a decision only while its stage has not moved on."""
    if target.stage_id != stage.id or target.round != stage.round:
        raise Conflict("That decision is from an earlier round; it can no longer be corrected.")
    if stage.status == "active":
        return
    if stage.status == "conditions_set" and sign_off.status == "awaiting_amendment":
        # The conditions are not yet answered by an amended draft: they can still change.
        stage.status = "active"
        sign_off.status = "in_progress"
        sign_off.check_stage_id = None
        return
    raise Conflict("The sign-off has moved on since that decision; it can no longer be superseded.")


async def _record(
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
    await audit.record(
        session,
        principal,
        organisation_id=sign_off.organisation_id,
        action="sign_off.decision_recorded",
        entity_type="sign_off",
        entity_id=sign_off.id,
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
    """What the stage's decisions so far mean for it and for the sign-off."""
    current = await _current(session, stage)
    definition = staging.stage_definition(stage)
    now = utcnow()
    if any(d.outcome == "rejected" for d in current):
        stage.status = "rejected"
        stage.finished_at = now
        refused = definition.purpose == "ratification"
        await close(session, principal, sign_off, "ratification_refused" if refused else "rejected")
        return
    deferral = next((d for d in current if d.outcome == "deferred"), None)
    if deferral is not None:
        stage.status = "deferred"
        stage.finished_at = now
        decider = DECIDER.validate_python(deferral.referred_to)
        name = await staging.referral_name(session, decider)
        referral = await staging.add_referral(session, sign_off, stage, decider, name)
        document = await _document(session, sign_off)
        await staging.start_stage(session, sign_off, referral, document)
        return
    agreeing = [
        d for d in current if d.outcome in ("approved", "approved_with_conditions", "noted")
    ]
    if len(agreeing) < stage.required:
        return  # waiting for more of the people who decide it
    stage.finished_at = now
    if any(d.outcome == "approved_with_conditions" for d in current):
        stage.status = "conditions_set"
        sign_off.status = "awaiting_amendment"
        # NCT: conditions set by SLT go back to the RSM to check, unless SLT asked to see it.
        see_again = any(d.see_again for d in current)
        sign_off.check_stage_id = (
            stage.deferred_from_id if stage.deferred_from_id and not see_again else stage.id
        )
        await session.flush()
        return
    stage.status = "noted" if definition.purpose == "information" else "approved"
    # The amended draft met the conditions: every stage that set them is now approved.
    for other in await staging.stages_of(session, sign_off.id):
        if other.status == "conditions_set":
            other.status = "approved"
    sign_off.check_stage_id = None
    await session.flush()
    await advance(session, principal, sign_off)


async def _document(session: AsyncSession, sign_off: SignOff) -> Document:
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    return document


async def record_decision(
    session: AsyncSession, principal: Principal, sign_off: SignOff, fields: Mapping[str, Any]
) -> SignOffDecision:
    """A person's decision on the stage waiting for them (``sign_off`` locked by the caller)."""
    if fields["version_id"] != sign_off.version_id:
        raise Conflict(
            "That version is no longer the one submitted for sign-off; fetch the sign-off again.",
            submitted_version_id=str(sign_off.version_id),
        )
    supersedes_id = fields.get("supersedes_id")
    target: SignOffDecision | None = None
    if supersedes_id is not None:
        target = await session.get(SignOffDecision, supersedes_id)
        if target is None or target.sign_off_id != sign_off.id:
            raise Invalid("No such decision on this sign-off.", field="supersedes_id")
        stage = await session.get(SignOffStage, target.stage_id)
        assert stage is not None
    else:
        if sign_off.status == "awaiting_amendment":
            raise Conflict("The sign-off is waiting for the amended draft.")
        if sign_off.status not in ("in_progress", "issued"):
            raise Conflict(f"The sign-off is {sign_off.status.replace('_', ' ')}.")
        found = await _active_stage(session, sign_off)
        if found is None:
            raise Conflict("No stage of this sign-off is waiting for a decision.")
        stage = found
    if fields.get("stage_id") is not None and fields["stage_id"] != stage.id:
        raise Conflict(
            "That stage is not the one waiting for a decision; fetch the sign-off again."
        )
    if stage.agenda_item_id is not None and stage.board_id is not None:
        raise Conflict(
            f"The stage {stage.name!r} is decided by the board at its meeting: record it in "
            f"the minutes (POST /v1/meetings/{{id}}/decisions on agenda item "
            f"{stage.agenda_item_id})."
        )
    document = await _document(session, sign_off)
    independence = await staging.independence_of(session, sign_off, document)
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
        await _reopen_for_correction(session, sign_off, stage, target)
    else:
        mine = [
            d
            for d in await _current(session, stage)
            if (d.on_behalf_of_id or d.decided_by_id) == (on_behalf_of or decided_by)
        ]
        if mine:
            raise Conflict(
                "You have already decided this stage; to change it, supersede your decision.",
                decision_id=str(mine[0].id),
            )
    definition = staging.stage_definition(stage)
    _check_outcome(definition, fields)
    referred_to: dict[str, Any] | None = None
    if fields["outcome"] == "deferred":
        decider = _referral(definition, fields)
        await check_decider(session, sign_off.organisation_id, decider)
        referred_to = decider.model_dump(mode="json")
    decision = SignOffDecision(
        id=new_id(),
        organisation_id=sign_off.organisation_id,
        sign_off_id=sign_off.id,
        stage_id=stage.id,
        round=stage.round,
        version_id=sign_off.version_id,
        outcome=fields["outcome"],
        method="circulation" if stage.board_id else "individual",
        conditions=[c.strip() for c in fields.get("conditions") or [] if c.strip()],
        reasons=fields.get("reasons") or "",
        see_again=bool(fields.get("see_again")),
        referred_to=referred_to,
        decided_by_id=decided_by,
        on_behalf_of_id=on_behalf_of,
        is_self_approved=seat.is_self_approved,
        recorded_by_id=principal.person_id,
        recorded_by_label=principal.label[:300],
        recorded_at=utcnow(),
        supersedes_id=supersedes_id,
    )
    return await _record(session, principal, sign_off, stage, decision)


async def on_meeting_decision(
    session: AsyncSession, principal: Principal, item: AgendaItem, minuted: MeetingDecision
) -> None:
    """A board's minuted decision on an item that is a sign-off stage decides that stage."""
    stage = (
        await session.execute(
            select(SignOffStage).where(SignOffStage.agenda_item_id == item.id).with_for_update()
        )
    ).scalar_one_or_none()
    if stage is None:
        return
    sign_off = (
        await session.execute(
            select(SignOff)
            .where(SignOff.id == stage.sign_off_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    outcome = FROM_MEETING.get(minuted.outcome)
    definition = staging.stage_definition(stage)
    if outcome is None:
        return  # carried to the next meeting: nothing decided yet
    if definition.purpose == "information" and outcome == "approved":
        outcome = "noted"
    target: SignOffDecision | None = None
    if minuted.supersedes_id is not None:
        target = (
            await session.execute(
                select(SignOffDecision).where(
                    SignOffDecision.meeting_decision_id == minuted.supersedes_id
                )
            )
        ).scalar_one_or_none()
    if target is not None:
        await _reopen_for_correction(session, sign_off, stage, target)
    elif stage.status != "active":
        raise Conflict(
            f"The sign-off stage {stage.name!r} for this item is "
            f"{stage.status.replace('_', ' ')}; it takes no further decision."
        )
    if item.version_id != sign_off.version_id:
        raise Conflict("The paper on this item is no longer the version submitted for sign-off.")
    fields: dict[str, Any] = {
        "outcome": outcome,
        "conditions": list(minuted.conditions),
        "reasons": minuted.text if outcome == "rejected" else "",
    }
    if outcome == "rejected" and not fields["reasons"].strip():
        fields["reasons"] = "Rejected at the meeting."
    _check_outcome(definition, fields)
    referred_to: dict[str, Any] | None = None
    if outcome == "deferred":
        if definition.refer_to is None:
            raise Conflict(
                f"The route names no higher body for the stage {stage.name!r}: record the "
                "referral on the sign-off with the body it goes to instead."
            )
        referred_to = definition.refer_to.model_dump(mode="json")
    decision = SignOffDecision(
        id=new_id(),
        organisation_id=sign_off.organisation_id,
        sign_off_id=sign_off.id,
        stage_id=stage.id,
        round=stage.round,
        version_id=sign_off.version_id,
        outcome=outcome,
        method="meeting",
        conditions=fields["conditions"],
        reasons=fields["reasons"] or minuted.text,
        see_again=minuted.see_again,
        referred_to=referred_to,
        decided_by_id=None,
        on_behalf_of_id=None,
        meeting_id=minuted.meeting_id,
        meeting_decision_id=minuted.id,
        recorded_by_id=principal.person_id,
        recorded_by_label=principal.label[:300],
        recorded_at=utcnow(),
        supersedes_id=target.id if target else None,
    )
    await _record(session, principal, sign_off, stage, decision)
