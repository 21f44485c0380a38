"""What a handler returns: the notices (emails) an event calls for, and the reminders a sweep
should create."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.consultations import Consultee
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.notices.kinds import require_registered


@dataclass(frozen=True)
class Notice:
    """One email an event calls for.

    A notice goes to a person, or to an external consultee (no account) at the consultee's
    own address. It is keyed by its recipient, so that a person gets one email per event
    whatever capacities they are told in: a handler folds them into one notice.
    """

    kind: str
    person: Person | None
    context: dict[str, Any]
    document: Document | None = None
    consultee: Consultee | None = None

    def __post_init__(self) -> None:
        require_registered(self.kind)

    @property
    def recipient_key(self) -> str:
        """Who the notice is for, in its dedupe key: one notice per event and recipient."""
        if self.person is not None:
            return str(self.person.id)
        assert self.consultee is not None, "a notice goes to a person or a consultee"
        return f"consultee:{self.consultee.id}"


@dataclass(frozen=True)
class Reminder:
    """A reminder a sweep should create, with the key that makes it once per threshold."""

    organisation_id: uuid.UUID
    dedupe_key: str
    notice: Notice


# (session, the event, parsed once by the fan-out): each handler takes the one event class it is
# registered for in its module's HANDLERS.
Handler = Callable[[AsyncSession, Any], Awaitable[list[Notice]]]
