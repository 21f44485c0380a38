"""Sign-offs as the API shows them: stages with their tally and time limit, decisions with
what superseded them, and who was informed."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.sign_off import schemas
from services.domain.boards.service import working_calendar
from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import london_today
from services.domain.governance.definition import PeopleDecider
from services.domain.models.documents import DocumentVersion
from services.domain.models.sign_off import SignOff, SignOffDecision, SignOffStage
from services.domain.sign_off import decisions, informing, progress, time_limits, voting
from services.domain.sign_off import stages as staging


async def sign_off_out(session: AsyncSession, sign_off: SignOff) -> schemas.SignOff:
    route, route_version = await progress.route_of(session, sign_off)
    version = await session.get(DocumentVersion, sign_off.version_id)
    assert version is not None
    found = await decisions.decisions_of(session, sign_off.id)
    superseded_by = {d.supersedes_id: d.id for d in found if d.supersedes_id}
    calendar = await working_calendar(session, sign_off.organisation_id)
    today = london_today()
    stages = [
        _stage_out(stage, found, calendar, today)
        for stage in await staging.stages_of(session, sign_off.id)
    ]
    return schemas.SignOff(
        id=sign_off.id,
        document_id=sign_off.document_id,
        version_id=sign_off.version_id,
        version_number=version.number,
        route_id=route.id,
        route_key=route.key,
        route_version=route_version.number,
        status=sign_off.status,
        answers=sign_off.answers,
        approvers={k: [uuid.UUID(p) for p in v] for k, v in sign_off.approvers.items()},
        effective_on=sign_off.effective_on,
        review_interval_months=sign_off.review_interval_months,
        check_stage_id=sign_off.check_stage_id,
        issued_version_id=sign_off.issued_version_id,
        submitted_by_id=sign_off.submitted_by_id,
        submitted_at=sign_off.submitted_at,
        closed_at=sign_off.closed_at,
        stages=stages,
        decisions=[_decision_out(d, superseded_by.get(d.id)) for d in found],
        informed=[
            schemas.Informed.model_validate(row, from_attributes=True)
            for row in await informing.informed_of(session, sign_off.id)
        ],
    )


def _tally_out(
    stage: SignOffStage, decider: object, found: list[SignOffDecision]
) -> schemas.Tally | None:
    """The votes of a stage decided by people: as they stood when it settled, else so far."""
    if stage.tally is not None:
        return schemas.Tally.model_validate(stage.tally)
    if not stage.participants:
        return None  # a board at its meeting, or a stage not yet started
    return schemas.Tally.model_validate(voting.tally_for(stage, decider, found).as_json())


def _stage_out(
    stage: SignOffStage, found: list[SignOffDecision], calendar: WorkingCalendar, today: date
) -> schemas.StageOut:
    definition = staging.stage_definition(stage)
    dates = time_limits.dates_of(stage, calendar, today)
    decider = definition.decider
    return schemas.StageOut(
        id=stage.id,
        key=stage.key,
        name=stage.name,
        purpose=definition.purpose,
        after_issue=definition.after_issue,
        status=stage.status,
        round=stage.round,
        participants=list(stage.participants),
        required=stage.required,
        board_id=stage.board_id,
        agenda_item_id=stage.agenda_item_id,
        deferred_from_id=stage.deferred_from_id,
        condition=definition.condition.model_dump() if definition.condition else None,
        started_at=stage.started_at,
        finished_at=stage.finished_at,
        rule=decider.rule if isinstance(decider, PeopleDecider) else None,
        quorum=decider.quorum if isinstance(decider, PeopleDecider) else None,
        allow_abstention=isinstance(decider, PeopleDecider) and decider.allow_abstention,
        tally=_tally_out(stage, decider, found),
        time_limit_working_days=definition.time_limit_working_days,
        due_on=dates.due_on,
        is_overdue=dates.is_overdue,
        chase_on=dates.chase_on,
        escalate_on=dates.escalate_on,
        chased_at=stage.chased_at,
        escalated_at=stage.escalated_at,
    )


def _decision_out(
    d: SignOffDecision, superseded_by_id: uuid.UUID | None
) -> schemas.SignOffDecision:
    return schemas.SignOffDecision(
        id=d.id,
        stage_id=d.stage_id,
        round=d.round,
        version_id=d.version_id,
        outcome=d.outcome,
        method=d.method,
        conditions=list(d.conditions),
        reasons=d.reasons,
        see_again=d.see_again,
        referred_to=d.referred_to,
        discussed_with_id=d.discussed_with_id,
        decided_by_id=d.decided_by_id,
        on_behalf_of_id=d.on_behalf_of_id,
        is_self_approved=d.is_self_approved,
        meeting_id=d.meeting_id,
        meeting_decision_id=d.meeting_decision_id,
        recorded_by_label=d.recorded_by_label,
        recorded_at=d.recorded_at,
        supersedes_id=d.supersedes_id,
        superseded_by_id=superseded_by_id,
    )
