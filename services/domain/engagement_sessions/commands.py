"""What an engagement session is asked to do: be planned or recorded, be changed.

The API builds these from its request bodies (``NewEngagementSession.of(body.model_dump(
exclude_unset=True))``).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Literal

from services.domain.commands import UNSET, Command, Maybe
from services.domain.models.engagement_sessions import EngagementStatus


@dataclasses.dataclass(frozen=True, kw_only=True)
class Attendee:
    """A person of the organisation, or someone from outside it by name (a resident, a
    partner agency's worker) with their organisation."""

    person_id: uuid.UUID | None = None
    name: str | None = None
    organisation: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionAction:
    """What the session agreed someone does, by when, and whether it is done."""

    text: str
    owner_id: uuid.UUID | None = None
    due_on: date | None = None
    done: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewEngagementSession(Command):
    """A workshop or review session on a document, planned or already held."""

    kind: Literal["workshop", "co_production", "review_session", "other"]
    title: str
    held_on: date
    version_id: uuid.UUID | None = None
    facilitator_id: uuid.UUID | None = None
    attendees: tuple[Attendee, ...] = ()
    notes: str = ""
    actions: tuple[SessionAction, ...] = ()
    # Planned, or held already (its notes recorded); never made cancelled.
    status: EngagementStatus = EngagementStatus.PLANNED


@dataclasses.dataclass(frozen=True, kw_only=True)
class EngagementSessionChange(Command):
    """A change to a session: what is sent changes, what is left out stays. ``status`` moves
    a planned session to held (its notes recorded) or cancelled."""

    title: Maybe[str] = UNSET
    held_on: Maybe[date] = UNSET
    version_id: Maybe[uuid.UUID | None] = UNSET
    facilitator_id: Maybe[uuid.UUID | None] = UNSET
    attendees: Maybe[tuple[Attendee, ...]] = UNSET
    notes: Maybe[str] = UNSET
    actions: Maybe[tuple[SessionAction, ...]] = UNSET
    status: Maybe[EngagementStatus] = UNSET
