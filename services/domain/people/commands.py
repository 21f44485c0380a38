"""What the directory is asked to do to a person."""

from __future__ import annotations

import dataclasses

from services.domain.commands import UNSET, Command, Maybe


@dataclasses.dataclass(frozen=True, kw_only=True)
class PersonChange(Command):
    """Change a person's details or roles: only the fields given."""

    name: Maybe[str] = UNSET
    email: Maybe[str] = UNSET
    job_title: Maybe[str | None] = UNSET
    service_area: Maybe[str | None] = UNSET
    roles: Maybe[list[str]] = UNSET
    is_active: Maybe[bool] = UNSET
