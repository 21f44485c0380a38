"""What the boards' use cases are asked to do: a board and its seats, a meeting, an item on the
forward plan, the attendance, a decision and an action (services/domain/commands.py).

A command that makes something has the request schema's defaults; a change lists each field as
``Maybe[T] = UNSET``, so ``given()`` is what the caller sent.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from services.domain.calendar.schedules import MeetingOnHoliday
from services.domain.calendar.working_days import NonWorkingDayRule, Offset
from services.domain.commands import UNSET, Command, Maybe
from services.domain.models.meetings import ActionStatus, AttendanceStatus


@dataclass(frozen=True, kw_only=True)
class SeatRule:
    """A kind of seat with its own attendance rule (Dorset 7.2: two Heads of Service)."""

    seat: str
    minimum: int = 0
    delegates_count: bool = False
    exempt_from_escalation: bool = False


class _Settings(Command):
    def columns(self) -> dict[str, Any]:
        """The settings given, as the board's columns hold them (the rules as JSON)."""
        columns = self.given()
        columns.pop("members", None)
        if "seat_rules" in columns:
            columns["seat_rules"] = [dataclasses.asdict(rule) for rule in columns["seat_rules"]]
        if "deadline_rules" in columns:
            columns["deadline_rules"] = {
                name: {"amount": rule.amount, "unit": rule.unit}
                for name, rule in columns["deadline_rules"].items()
            }
        return columns


@dataclass(frozen=True, kw_only=True)
class NewMember(Command):
    """Seat a person on a board as chair, vice-chair or member, with a standing delegate."""

    person_id: uuid.UUID
    role: str = "member"
    seat: str | None = None
    delegate_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class MemberChange(Command):
    """A member's new role, seat or standing delegate (the API's PUT sends all three)."""

    role: Maybe[str] = UNSET
    seat: Maybe[str | None] = UNSET
    delegate_id: Maybe[uuid.UUID | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class NewBoard(_Settings):
    """Set up a board with its rules and its first members.

    The four settings a board may leave null are UNSET unless sent: a column left unset is not
    written, so the board's audit record names only what was set.
    """

    name: str
    purpose: str = ""
    escalation_person_id: Maybe[uuid.UUID | None] = UNSET
    quorum: Maybe[int | None] = UNSET
    seat_rules: Sequence[SeatRule] = ()
    deadline_rules: Mapping[str, Offset] = field(default_factory=dict)
    non_working_day_rule: NonWorkingDayRule = "earlier"
    agenda_sections: Sequence[str] | None = None
    schedule_rule: Maybe[str | None] = UNSET
    schedule_starts_on: Maybe[date | None] = UNSET
    meeting_start_time: time = time(10, 0)
    meeting_duration_minutes: int = 120
    default_location: str = ""
    meetings_on_bank_holidays: MeetingOnHoliday = "next_working_day"
    members: Sequence[NewMember] = ()


@dataclass(frozen=True, kw_only=True)
class BoardChange(_Settings):
    """New settings for a board: only the fields given change."""

    name: Maybe[str] = UNSET
    purpose: Maybe[str] = UNSET
    escalation_person_id: Maybe[uuid.UUID | None] = UNSET
    quorum: Maybe[int | None] = UNSET
    seat_rules: Maybe[Sequence[SeatRule]] = UNSET
    deadline_rules: Maybe[Mapping[str, Offset]] = UNSET
    non_working_day_rule: Maybe[NonWorkingDayRule] = UNSET
    agenda_sections: Maybe[Sequence[str] | None] = UNSET
    schedule_rule: Maybe[str | None] = UNSET
    schedule_starts_on: Maybe[date | None] = UNSET
    meeting_start_time: Maybe[time] = UNSET
    meeting_duration_minutes: Maybe[int] = UNSET
    default_location: Maybe[str] = UNSET
    meetings_on_bank_holidays: Maybe[MeetingOnHoliday] = UNSET
    is_active: Maybe[bool] = UNSET


@dataclass(frozen=True, kw_only=True)
class NewMeeting(Command):
    """An extra meeting outside the schedule (end: after the board's usual length; place: its
    usual one)."""

    starts_at: datetime
    ends_at: datetime | None = None
    location: str | None = None
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class MeetingChange(Command):
    """A meeting moved (a new start, end or place) or its notes changed."""

    starts_at: Maybe[datetime] = UNSET
    ends_at: Maybe[datetime] = UNSET
    location: Maybe[str] = UNSET
    notes: Maybe[str] = UNSET


@dataclass(frozen=True, kw_only=True)
class NewAgendaItem(Command):
    """An item proposed for a meeting of a board's forward plan (default: its next meeting)."""

    ask: str
    meeting_id: uuid.UUID | None = None
    document_id: uuid.UUID | None = None
    version_id: uuid.UUID | None = None
    title: str | None = None
    section: str | None = None
    presenter_id: uuid.UUID | None = None
    notes: str = ""
    accept_late: bool = False


@dataclass(frozen=True, kw_only=True)
class AgendaItemChange(Command):
    """An item retitled, re-ordered, re-sectioned, given another presenter or paper, or moved."""

    meeting_id: Maybe[uuid.UUID] = UNSET
    version_id: Maybe[uuid.UUID | None] = UNSET
    title: Maybe[str] = UNSET
    ask: Maybe[str] = UNSET
    section: Maybe[str] = UNSET
    position: Maybe[int] = UNSET
    presenter_id: Maybe[uuid.UUID | None] = UNSET
    notes: Maybe[str] = UNSET


@dataclass(frozen=True, kw_only=True)
class AttendanceEntry:
    """One member's attendance: present, apologies, a delegate attended (who), or absent."""

    person_id: uuid.UUID
    status: AttendanceStatus
    delegate_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class AttendanceSheet(Command):
    """Who attended a meeting (members not listed keep what was recorded) and who chaired."""

    attendance: Sequence[AttendanceEntry]
    chaired_by_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class NewDecision(Command):
    """The board's decision on an item, as minuted (a correction supersedes the current one)."""

    agenda_item_id: uuid.UUID
    outcome: str
    method: str = "consensus"
    text: str = ""
    conditions: Sequence[str] = ()
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    decided_by_id: uuid.UUID | None = None
    supersedes_id: uuid.UUID | None = None
    see_again: bool = False


@dataclass(frozen=True, kw_only=True)
class NewAction(Command):
    """An action minuted with its owner and due date."""

    description: str
    owner_id: uuid.UUID
    due_on: date
    agenda_item_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class ActionChange(Command):
    """An action's new owner, due date or description, or its status (done, or open again)."""

    description: Maybe[str] = UNSET
    owner_id: Maybe[uuid.UUID] = UNSET
    due_on: Maybe[date] = UNSET
    status: Maybe[ActionStatus] = UNSET
