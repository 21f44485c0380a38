"""A stage's time limit: the last day to decide it, the day those yet to decide are chased and
the day the policy team is told, in the organisation's working days (bank holidays and closure
days not counted); and the sweep that chases and tells, each once per round of a stage.

NCT 3.1 iii: "a six-week period (approx.) to review and approve (or reject) the amendments
before the Trust is required to submit its response to Tri.x"; 3.2: "Agreed scheduled
deadlines must be adhered to".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.boards.service import working_calendar
from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import london_today, utcnow
from services.domain.governance.definition import Stage
from services.domain.models.sign_off import SignOff, SignOffDecision, SignOffStage, StageStatus
from services.domain.outbox.service import emit
from services.domain.sweeps import each_in_savepoint
from services.domain.text import STORED

# Working days after the chase before the policy team is told, when the route does not say.
DEFAULT_ESCALATE_AFTER_WORKING_DAYS = 5


# --- the dates (pure) ------------------------------------------------------------------------


def due_on(started_on: date, limit_working_days: int, calendar: WorkingCalendar) -> date:
    """The last day to decide: ``limit_working_days`` working days after the stage started
    (that day not counted)."""
    return calendar.add_working_days(started_on, limit_working_days)


def chase_on(due: date, calendar: WorkingCalendar) -> date:
    """Those yet to decide are chased on the first working day after the last day."""
    return calendar.add_working_days(due, 1)


def escalate_on(due: date, escalate_after: int | None, calendar: WorkingCalendar) -> date:
    """The policy team is told ``escalate_after`` working days after the chase."""
    after = escalate_after or DEFAULT_ESCALATE_AFTER_WORKING_DAYS
    return calendar.add_working_days(chase_on(due, calendar), after)


def is_overdue(due: date | None, today: date) -> bool:
    """Past its last day to decide."""
    return due is not None and today > due


@dataclass(frozen=True)
class Dates:
    """A stage's time limit as the API shows it."""

    due_on: date | None
    chase_on: date | None
    escalate_on: date | None
    is_overdue: bool


def dates_of(stage: SignOffStage, calendar: WorkingCalendar, today: date) -> Dates:
    """The time limit of a stage (none when its route sets none)."""
    if stage.due_on is None:
        return Dates(None, None, None, is_overdue=False)
    definition = Stage.model_validate(stage.definition, context=STORED)
    waiting = stage.status == StageStatus.ACTIVE
    return Dates(
        stage.due_on,
        chase_on(stage.due_on, calendar),
        escalate_on(stage.due_on, definition.escalate_after_working_days, calendar),
        is_overdue=waiting and is_overdue(stage.due_on, today),
    )


async def set_time_limit(session: AsyncSession, stage: SignOffStage, definition: Stage) -> None:
    """When a round of a stage starts: its last day to decide, nobody chased or told yet."""
    stage.chased_at = None
    stage.escalated_at = None
    stage.tally = None
    stage.due_on = None
    if definition.time_limit_working_days is not None:
        calendar = await working_calendar(session, stage.organisation_id)
        stage.due_on = due_on(london_today(), definition.time_limit_working_days, calendar)


# --- the sweep -------------------------------------------------------------------------------


async def _waiting(session: AsyncSession, stage: SignOffStage) -> list[SignOffDecision]:
    rows = await session.execute(
        select(SignOffDecision).where(
            SignOffDecision.stage_id == stage.id, SignOffDecision.round == stage.round
        )
    )
    return list(rows.scalars())


async def waiting_for(session: AsyncSession, stage: SignOffStage) -> list[uuid.UUID]:
    """The participants of the stage's current round who have not decided (nor anyone for
    them)."""
    decided = {d.on_behalf_of_id or d.decided_by_id for d in await _waiting(session, stage)}
    return [p for p in stage.participants if p not in decided]


async def _overdue_stages(session: AsyncSession, today: date) -> list[SignOffStage]:
    """Active stages past their last day with someone still to chase or tell (rows locked,
    those another sweep holds skipped)."""
    rows = await session.execute(
        select(SignOffStage)
        .where(
            SignOffStage.status == StageStatus.ACTIVE,
            SignOffStage.due_on < today,
            SignOffStage.escalated_at.is_(None),
        )
        .order_by(SignOffStage.due_on, SignOffStage.id)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars())


async def chase_and_escalate(session: AsyncSession, today: date) -> tuple[int, int]:
    """Chase those yet to decide each overdue stage, once per round, on the first working
    day after its last day; tell the policy team once, the escalation day, if it is still
    undecided. Through the outbox; how many stages were chased and how many escalated."""
    chased = escalated = 0

    async def sweep(stage: SignOffStage) -> None:
        nonlocal chased, escalated
        calendar = await working_calendar(session, stage.organisation_id)
        assert stage.due_on is not None
        definition = Stage.model_validate(stage.definition, context=STORED)
        if stage.chased_at is None:
            if chase_on(stage.due_on, calendar) > today:
                return
            stage.chased_at = utcnow()
            await _emit(session, stage, events.SignOffStageOverdue)
            chased += 1
            return  # the policy team is told on a later sweep, never with the chase
        if escalate_on(stage.due_on, definition.escalate_after_working_days, calendar) > today:
            return
        stage.escalated_at = utcnow()
        await _emit(session, stage, events.SignOffStageEscalated)
        escalated += 1

    await each_in_savepoint(session, await _overdue_stages(session, today), sweep, what="stage")
    return chased, escalated


async def _emit(
    session: AsyncSession,
    stage: SignOffStage,
    event_class: type[events.SignOffStageOverdue] | type[events.SignOffStageEscalated],
) -> None:
    sign_off = await session.get(SignOff, stage.sign_off_id)
    assert sign_off is not None and stage.due_on is not None
    await session.flush()
    await emit(
        session,
        event_class(
            organisation_id=stage.organisation_id,
            sign_off_id=sign_off.id,
            stage_id=stage.id,
            document_id=sign_off.document_id,
            version_id=sign_off.version_id,
            stage_name=stage.name,
            round=stage.round,
            due_on=stage.due_on,
            waiting_ids=await waiting_for(session, stage),
        ),
    )
