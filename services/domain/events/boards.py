"""Boards and their meetings: scheduling, agendas, papers, decisions and minutes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from services.domain.events.base import _Event


class BoardChanged(_Event):
    """A board was set up or its settings, members or schedule changed."""

    type: Literal["board.changed"] = "board.changed"
    board_id: uuid.UUID
    changed: list[str]


class MeetingScheduled(_Event):
    """A board meeting was put in the calendar."""

    type: Literal["meeting.scheduled"] = "meeting.scheduled"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    starts_at: datetime


class MeetingMoved(_Event):
    """People with items on the meeting are told its new date."""

    type: Literal["meeting.moved"] = "meeting.moved"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    previous_starts_at: datetime
    starts_at: datetime


class MeetingCancelled(_Event):
    """People with items are told, and where their items went."""

    type: Literal["meeting.cancelled"] = "meeting.cancelled"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    starts_at: datetime
    reason: str
    items_moved_to_meeting_id: uuid.UUID | None
    agenda_item_ids: list[uuid.UUID]


class AgendaItemPlanned(_Event):
    """An item went on the forward plan, or moved to another meeting."""

    type: Literal["agenda_item.planned"] = "agenda_item.planned"
    board_id: uuid.UUID
    agenda_item_id: uuid.UUID
    meeting_id: uuid.UUID
    requested_meeting_id: uuid.UUID
    document_id: uuid.UUID | None
    is_late: bool
    late_accepted: bool


class PapersCirculated(_Event):
    """Dorset 6: agenda and papers go to members at least 3 working days before."""

    type: Literal["meeting.papers_circulated"] = "meeting.papers_circulated"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    is_late: bool


class DecisionRecorded(_Event):
    """A board recorded its decision on an agenda item."""

    type: Literal["meeting.decision_recorded"] = "meeting.decision_recorded"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
    decision_id: uuid.UUID
    document_id: uuid.UUID | None
    version_id: uuid.UUID | None
    outcome: str


class MinutesIssued(_Event):
    """Dorset 6: the chair issues minutes and notification of actions after each meeting."""

    type: Literal["meeting.minutes_issued"] = "meeting.minutes_issued"
    board_id: uuid.UUID
    meeting_id: uuid.UUID


class AttendanceEscalated(_Event):
    """Dorset 7.3: a member missed two or more successive meetings without a delegate."""

    type: Literal["board.attendance_escalated"] = "board.attendance_escalated"
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    person_id: uuid.UUID
    missed_meeting_ids: list[uuid.UUID]
    escalate_to_person_id: uuid.UUID | None
