"""A board's minuted decision decides what the agenda item put to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.assessments import proposals
from services.domain.authz.principal import Principal
from services.domain.models.meetings import AgendaItem, MeetingDecision
from services.domain.sign_off import meeting_decisions


async def _minuted(
    session: AsyncSession, recorded: events.DecisionRecorded
) -> tuple[AgendaItem, MeetingDecision]:
    # Both were written in this transaction: the session's identity map holds them.
    item = await session.get(AgendaItem, recorded.agenda_item_id)
    decision = await session.get(MeetingDecision, recorded.decision_id)
    assert item is not None and decision is not None
    return item, decision


async def decide_proposal(
    session: AsyncSession, principal: Principal, recorded: events.DecisionRecorded
) -> None:
    """The item was a proposal for a new document: the decision approves or declines it."""
    item, decision = await _minuted(session, recorded)
    await proposals.on_meeting_decision(session, principal, item, decision)


async def decide_sign_off_stage(
    session: AsyncSession, principal: Principal, recorded: events.DecisionRecorded
) -> None:
    """The item was a sign-off stage: the decision is that stage's."""
    item, decision = await _minuted(session, recorded)
    await meeting_decisions.on_meeting_decision(session, principal, item, decision)
