"""The pieces every part of a document's timeline is written with: the entry, the builder that
collects and orders entries, and the words shared by their sentences."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from services.domain.clock import london_day
from services.domain.models.meetings import Meeting
from services.domain.timeline.records import TimelineRows


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    type: str
    summary: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    refs: dict[str, uuid.UUID]
    details: dict[str, Any]
    superseded_by: uuid.UUID | None = None


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def day_of(moment: datetime) -> str:
    """The London date of a moment, as people read it."""
    return day(london_day(moment))


def quote(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentence(text: str) -> str:
    text = text.rstrip()
    # A quotation that ends a sentence keeps its own full stop.
    return text if text.rstrip('"”').endswith((".", "?", "!")) else text + "."


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


class Builder:
    """Collects entries and answers them in time order; ``rank`` orders entries of one moment."""

    def __init__(self, rows: TimelineRows, rank: Mapping[str, int]) -> None:
        self.rows = rows
        self.rank = rank
        self.entries: list[tuple[tuple[Any, ...], TimelineEntry]] = []

    def name(self, person_id: uuid.UUID | None) -> str | None:
        return self.rows.names.get(person_id) if person_id is not None else None

    def number(self, version_id: uuid.UUID | None) -> str:
        version = self.rows.versions.get(version_id) if version_id is not None else None
        return version.number if version is not None else "?"

    def meeting_words(self, meeting_id: uuid.UUID | None) -> str:
        meeting = self.rows.meetings.get(meeting_id) if meeting_id is not None else None
        if meeting is None:
            return "a meeting"
        board = self.rows.boards.get(meeting.board_id)
        where = f"the {board.name} meeting" if board is not None else "the meeting"
        return f"{where} of {_meeting_day(meeting)}"

    def add(
        self,
        at: datetime | None,
        kind: str,
        summary: str,
        key: uuid.UUID,
        *,
        actor_id: uuid.UUID | None = None,
        actor_label: str | None = None,
        refs: dict[str, uuid.UUID | None] | None = None,
        details: dict[str, Any] | None = None,
        superseded_by: uuid.UUID | None = None,
    ) -> None:
        if at is None:
            return
        at = at.astimezone(UTC)
        entry = TimelineEntry(
            at=at,
            type=kind,
            summary=sentence(summary),
            actor_id=actor_id,
            actor_name=self.name(actor_id) or (actor_label if actor_id is None else None),
            refs={k: v for k, v in (refs or {}).items() if v is not None},
            details=details or {},
            superseded_by=superseded_by,
        )
        # Same moment: the natural order of the steps, then the row's id (stable).
        self.entries.append(((at, self.rank[kind], str(key)), entry))

    def sorted(self) -> list[TimelineEntry]:
        return [entry for _, entry in sorted(self.entries, key=lambda pair: pair[0])]


def _meeting_day(meeting: Meeting) -> str:
    return day_of(meeting.starts_at)
