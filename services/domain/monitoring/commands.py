"""What a monitoring action is asked to do: be set, be changed, gather evidence, be closed.

The API builds these from its request bodies (``NewMonitoringAction.of(body.model_dump(
exclude_unset=True))``).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from services.domain.commands import UNSET, Command, Maybe


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewMonitoringAction(Command):
    """Something to do or check to know whether a document in force is followed (Cafcass
    7.4), given to a person of the organisation, by a date."""

    title: str
    description: str = ""
    owner_id: uuid.UUID
    due_on: date


@dataclasses.dataclass(frozen=True, kw_only=True)
class MonitoringActionChange(Command):
    """An open action retitled, redescribed, given to someone else or given another date."""

    title: Maybe[str] = UNSET
    description: Maybe[str] = UNSET
    owner_id: Maybe[uuid.UUID] = UNSET
    due_on: Maybe[date] = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewEvidence(Command):
    """A note of what was seen, and optionally a link to where the proof is kept."""

    note: str
    url: str | None = None
