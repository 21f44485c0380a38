"""A board's minuted decision on an agenda item that is a sign-off stage decides that stage
(``reactions/minutes.py``): the minutes, not a person, record it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict
from services.domain.governance.definition import Stage
from services.domain.models.meetings import AgendaItem, MeetingDecision
from services.domain.models.sign_off import SignOff, SignOffDecision, SignOffStage, StageStatus
from services.domain.sign_off import stages as staging
from services.domain.sign_off.commands import NewDecision
from services.domain.sign_off.decisions import add_decision, check_outcome, reopen_for_correction

# A board's minuted outcome as a sign-off decision. "deferred" at a meeting carries the item
# to the next meeting and decides nothing yet.
FROM_MEETING = {
    "approved": "approved",
    "approved_with_conditions": "approved_with_conditions",
    "referred": "deferred",
    "rejected": "rejected",
    "noted": "noted",
}


async def _locked(session: AsyncSession, item: AgendaItem) -> tuple[SignOffStage, SignOff] | None:
    """The sign-off stage the item puts to the board and its sign-off, both locked (None when
    the item is not a sign-off stage)."""
    stage = (
        await session.execute(
            select(SignOffStage).where(SignOffStage.agenda_item_id == item.id).with_for_update()
        )
    ).scalar_one_or_none()
    if stage is None:
        return None
    sign_off = (
        await session.execute(
            select(SignOff)
            .where(SignOff.id == stage.sign_off_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return stage, sign_off


async def _superseded(session: AsyncSession, minuted: MeetingDecision) -> SignOffDecision | None:
    """The stage's decision recorded from the minuted decision that this one corrects."""
    if minuted.supersedes_id is None:
        return None
    return (
        await session.execute(
            select(SignOffDecision).where(
                SignOffDecision.meeting_decision_id == minuted.supersedes_id
            )
        )
    ).scalar_one_or_none()


def _referred_to(definition: Stage, stage: SignOffStage) -> dict[str, Any]:
    """A board's referral goes to the higher body the route names for the stage."""
    if definition.refer_to is None:
        raise Conflict(
            f"The route names no higher body for the stage {stage.name!r}: record the "
            "referral on the sign-off with the body it goes to instead."
        )
    return definition.refer_to.model_dump(mode="json")


async def on_meeting_decision(
    session: AsyncSession, principal: Principal, item: AgendaItem, minuted: MeetingDecision
) -> None:
    """A board's minuted decision on an item that is a sign-off stage decides that stage."""
    found = await _locked(session, item)
    if found is None:
        return
    stage, sign_off = found
    outcome = FROM_MEETING.get(minuted.outcome)
    definition = staging.stage_definition(stage)
    if outcome is None:
        return  # carried to the next meeting: nothing decided yet
    if definition.purpose == "information" and outcome == "approved":
        outcome = "noted"
    target = await _superseded(session, minuted)
    if target is not None:
        await reopen_for_correction(session, sign_off, stage, target)
    elif stage.status != StageStatus.ACTIVE:
        raise Conflict(
            f"The sign-off stage {stage.name!r} for this item is "
            f"{stage.status.replace('_', ' ')}; it takes no further decision."
        )
    if item.version_id != sign_off.version_id:
        raise Conflict("The paper on this item is no longer the version submitted for sign-off.")
    reasons = minuted.text if outcome == "rejected" else ""
    if outcome == "rejected" and not reasons.strip():
        reasons = "Rejected at the meeting."
    asked = NewDecision(
        version_id=sign_off.version_id,
        outcome=outcome,
        conditions=list(minuted.conditions),
        reasons=reasons,
    )
    check_outcome(definition, asked)
    referred_to = _referred_to(definition, stage) if outcome == "deferred" else None
    decision = SignOffDecision(
        id=new_id(),
        organisation_id=sign_off.organisation_id,
        sign_off_id=sign_off.id,
        stage_id=stage.id,
        round=stage.round,
        version_id=sign_off.version_id,
        outcome=outcome,
        method="meeting",
        conditions=asked.conditions,
        reasons=asked.reasons or minuted.text,
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
    await add_decision(session, principal, sign_off, stage, decision)
