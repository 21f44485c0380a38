"""The minutes of a meeting: attendance and quorum, decisions, actions, issuing them, and the
report after the meeting."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.boards import meeting_schemas, minutes_schemas, serialise
from services.api.boards.serialise import meeting_view
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.files import STORED_FILE_DAMAGED
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.boards import attendance, meetings, minutes, reports, service
from services.domain.boards.commands import (
    ActionChange,
    AttendanceEntry,
    AttendanceSheet,
    NewAction,
    NewDecision,
)
from services.domain.models.meetings import ActionStatus, AttendanceStatus

router = Router(prefix="/v1/meetings", tags=["meetings"])


@router.get(
    "/{meeting_id}/attendance",
    response_model=minutes_schemas.MeetingAttendance,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_attendance(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> minutes_schemas.MeetingAttendance:
    """Who attended, and whether the meeting was quorate."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    board = await service.get_board(session, principal, meeting.board_id)
    rows = await attendance.attendance_of(session, meeting.id)
    check = attendance.check_quorum(board, rows, meeting.chaired_by_id) if rows else None
    return minutes_schemas.MeetingAttendance(
        meeting_id=meeting.id,
        attendance=[minutes_schemas.AttendanceRow.model_validate(r) for r in rows],
        quorum=serialise.quorum_out(check),
    )


@router.put(
    "/{meeting_id}/attendance",
    response_model=minutes_schemas.MeetingAttendance,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def record_attendance(
    meeting_id: uuid.UUID,
    body: minutes_schemas.AttendanceSheet,
    session: Session,
    principal: CurrentPrincipal,
) -> minutes_schemas.MeetingAttendance:
    """Record attendance (members not listed keep what was recorded before); the meeting is
    then held. Answers the quorum check and anyone escalated for missing two meetings in a row
    without a delegate (Dorset 7.3), whom the board's escalation person is told about."""
    meeting = await meetings.get_meeting(session, principal, meeting_id, for_update=True)
    sheet = AttendanceSheet(
        attendance=[
            AttendanceEntry(
                person_id=e.person_id,
                status=AttendanceStatus(e.status),
                delegate_id=e.delegate_id,
            )
            for e in body.attendance
        ],
        chaired_by_id=body.chaired_by_id,
    )
    rows, check, escalated = await attendance.record_attendance(session, principal, meeting, sheet)
    return minutes_schemas.MeetingAttendance(
        meeting_id=meeting.id,
        attendance=[minutes_schemas.AttendanceRow.model_validate(r) for r in rows],
        quorum=serialise.quorum_out(check),
        escalated_person_ids=escalated,
    )


@router.get(
    "/{meeting_id}/minutes",
    response_model=minutes_schemas.Minutes,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_minutes(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> minutes_schemas.Minutes:
    """Attendance, quorum, every decision (superseded ones marked) and the actions."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    board = await service.get_board(session, principal, meeting.board_id)
    rows = await attendance.attendance_of(session, meeting.id)
    check = attendance.check_quorum(board, rows, meeting.chaired_by_id) if rows else None
    return minutes_schemas.Minutes(
        meeting=await meeting_view(session, meeting, response),
        attendance=[minutes_schemas.AttendanceRow.model_validate(r) for r in rows],
        quorum=serialise.quorum_out(check),
        decisions=serialise.decisions_out(
            await minutes.decisions_of(session, meeting.id),
            await minutes.current_decisions(session, meeting.id),
        ),
        actions=[
            minutes_schemas.Action.model_validate(a)
            for a in await minutes.actions_of(session, meeting.id)
        ],
    )


@router.post(
    "/{meeting_id}/decisions",
    status_code=201,
    response_model=minutes_schemas.MeetingDecision,
    dependencies=[allowed(P.MEETINGS_RUN)],
    # A decision that approves a sign-off's last stage issues the draft, copying its file.
    responses=STORED_FILE_DAMAGED,
)
async def record_decision(
    meeting_id: uuid.UUID,
    body: minutes_schemas.MeetingDecisionCreate,
    session: Session,
    principal: CurrentPrincipal,
) -> minutes_schemas.MeetingDecision:
    """Minute the decision on an item. Decisions are never edited: a correction supersedes.
    A second decision on the same item without `supersedes_id` answers 409."""
    meeting = await meetings.get_meeting(session, principal, meeting_id, for_update=True)
    decision = await minutes.record_decision(
        session, principal, meeting, NewDecision.of(body.model_dump())
    )
    return minutes_schemas.MeetingDecision.model_validate(decision)


@router.post(
    "/{meeting_id}/actions",
    status_code=201,
    response_model=minutes_schemas.Action,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def add_action(
    meeting_id: uuid.UUID,
    body: minutes_schemas.ActionCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> minutes_schemas.Action:
    """Minute an action with its owner and due date."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    action = await minutes.add_action(session, principal, meeting, NewAction.of(body.model_dump()))
    set_etag(response, action.row_version)
    return minutes_schemas.Action.model_validate(action)


@router.patch(
    "/{meeting_id}/actions/{action_id}",
    response_model=minutes_schemas.Action,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def update_action(
    meeting_id: uuid.UUID,
    action_id: uuid.UUID,
    body: minutes_schemas.ActionUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> minutes_schemas.Action:
    """Change an action, or mark it done (its owner may do that). Needs `If-Match`."""
    expected = expected_version(if_match)
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    action = await minutes.get_action(session, principal, meeting, action_id)
    changes = body.model_dump(exclude_unset=True)
    if body.status is not None:
        changes["status"] = ActionStatus(body.status)
    action = await minutes.update_action(
        session, principal, meeting, action, ActionChange.of(changes), expected_version=expected
    )
    set_etag(response, action.row_version)
    return minutes_schemas.Action.model_validate(action)


@router.post(
    "/{meeting_id}/minutes/issue",
    response_model=meeting_schemas.Meeting,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def issue_minutes(
    meeting_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> meeting_schemas.Meeting:
    """Issue the minutes: members and action owners are emailed. Needs `If-Match`."""
    expected = expected_version(if_match)
    meeting = await meetings.get_meeting(session, principal, meeting_id, for_update=True)
    meeting = await minutes.issue_minutes(session, principal, meeting, expected_version=expected)
    return await meeting_view(session, meeting, response)


@router.get(
    "/{meeting_id}/report",
    response_model=minutes_schemas.MeetingReport,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_meeting_report(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> minutes_schemas.MeetingReport:
    """After the meeting (Dorset 10): the documents approved, for the leadership team and the
    newsletter, and the matters of exception."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    board = await service.get_board(session, principal, meeting.board_id)
    report = await reports.meeting_report(session, board, meeting)
    return minutes_schemas.MeetingReport(
        meeting=await meeting_view(session, meeting, response),
        approved=[minutes_schemas.ApprovedDocument.model_validate(a) for a in report.approved],
        exceptions=[minutes_schemas.ExceptionItem.model_validate(e) for e in report.exceptions],
        decisions=report.decisions,
        open_actions=report.open_actions,
        is_quorate=report.is_quorate,
    )
