"""What the handover is asked to do."""

from __future__ import annotations

import dataclasses
import uuid

from services.domain.commands import Command


@dataclasses.dataclass(frozen=True, kw_only=True)
class Move(Command):
    """One thing to move (``id``), or everything of a kind the person holds in a role (no id)."""

    kind: str
    role: str
    id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Reassignment(Command):
    """Move what a person holds to ``to_person_id``: all of it, or none."""

    to_person_id: uuid.UUID
    items: list[Move]
