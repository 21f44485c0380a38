"""What a consultation is asked to do: open, change, take a response, record its analysis.

The API builds these from its request bodies (``ConsultationChange.of(body.model_dump(
exclude_unset=True))``); the demo loader and the tests build them directly.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from services.domain.commands import UNSET, Command, Maybe
from services.domain.consultations.closing import ClosingRule


@dataclasses.dataclass(frozen=True, kw_only=True)
class Question(Command):
    """A question of the response form (Cafcass 4.7)."""

    key: str
    text: str
    kind: str = "text"
    options: Sequence[str] | None = ()  # none, as no options: a choice then needs two
    required: bool = False


@dataclasses.dataclass(frozen=True)
class External:
    """An external consultee: no account, email only."""

    name: str
    email: str
    represents: str = ""


@dataclasses.dataclass(frozen=True)
class Audience:
    """Who is asked: people by name, boards (their members when it opens), external
    consultees."""

    people: Sequence[uuid.UUID] = ()
    boards: Sequence[uuid.UUID] = ()
    external: Sequence[External] = ()

    def is_empty(self) -> bool:
        return not (self.people or self.boards or self.external)


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewConsultation(Command):
    """Put a draft out for comment: to whom, with which form, when it opens and closes."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    kind: str
    audience: Audience
    title: str | None = None
    description: str = ""
    questions: Sequence[Question] = ()
    meeting_id: uuid.UUID | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    closes_on: date | None = None
    closing_rule: ClosingRule | None = None
    deemed_agreement: bool | None = None
    reminder_days: Sequence[int] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsultationChange(Command):
    """The title, letter, reminders or closing time; the form only before it opens."""

    title: Maybe[str] = UNSET
    description: Maybe[str] = UNSET
    questions: Maybe[Sequence[Question]] = UNSET
    closes_at: Maybe[datetime | None] = UNSET
    closes_on: Maybe[date | None] = UNSET
    reminder_days: Maybe[Sequence[int]] = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsulteeResponse(Command):
    """What a consultee says: their position, comments and answers to the form (by key)."""

    position: str
    comments: str = ""
    answers: Mapping[str, str | bool | None] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResponseAnalysis(Command):
    """The author's analysis of a response: its themes and how it was handled."""

    themes: Maybe[Sequence[str] | None] = UNSET
    handling: Maybe[str | None] = UNSET
    handling_note: Maybe[str | None] = UNSET
    addressed_in_version_id: Maybe[uuid.UUID | None] = UNSET
