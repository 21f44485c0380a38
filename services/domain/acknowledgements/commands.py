"""What read and acknowledge is asked to do: set a document's audience, ask for a version."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from services.domain.commands import Command


@dataclasses.dataclass(frozen=True, kw_only=True)
class Audience(Command):
    """Who is asked: named people, the members of boards, everyone active in service areas or
    with job titles (any match). Names of areas and titles match whatever their case."""

    person_ids: list[uuid.UUID] = dataclasses.field(default_factory=list)
    board_ids: list[uuid.UUID] = dataclasses.field(default_factory=list)
    service_areas: list[str] = dataclasses.field(default_factory=list)
    job_titles: list[str] = dataclasses.field(default_factory=list)

    def is_empty(self) -> bool:
        """True when it names nobody at all."""
        return not (self.person_ids or self.board_ids or self.service_areas or self.job_titles)


@dataclasses.dataclass(frozen=True, kw_only=True)
class AudienceSetting(Audience):
    """A document's standing audience, asked at each issue of a whole version (and of a minor
    one too when ``ask_on_minor``), with its own working days to confirm (else the
    organisation's)."""

    due_working_days: int | None = None
    ask_on_minor: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewAcknowledgementRequest(Command):
    """The policy team asks: the version in force unless one is named, the document's audience
    unless one is given, due in its working days unless a date is given."""

    version_id: uuid.UUID | None = None
    audience: Audience | None = None
    due_on: date | None = None
    message: str = ""
