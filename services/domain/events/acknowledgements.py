"""Read and acknowledge: people asked to confirm a version, a confirmation, an ask ended, the
owner told who has not confirmed; a board member confirming they have read the papers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class AcknowledgementRequested(_Event):
    """Named people were asked to confirm they have read and understood a version by a date."""

    type: Literal["acknowledgement.requested"] = "acknowledgement.requested"
    request_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    version: str
    reason: Literal["issued", "asked"]
    due_on: date
    asked: int


class AcknowledgementConfirmed(_Event):
    """A person confirmed they have read and understood a version (signed in, or by the link)."""

    type: Literal["acknowledgement.confirmed"] = "acknowledgement.confirmed"
    acknowledgement_id: uuid.UUID
    request_id: uuid.UUID
    document_id: uuid.UUID
    person_id: uuid.UUID
    via: Literal["api", "link"]


class AcknowledgementRequestEnded(_Event):
    """An ask ended: superseded by a newer one, or cancelled (by the policy team, or its
    version withdrawn); those still pending are no longer asked."""

    type: Literal["acknowledgement.request_ended"] = "acknowledgement.request_ended"
    request_id: uuid.UUID
    document_id: uuid.UUID
    status: Literal["superseded", "cancelled"]
    pending: int


class AcknowledgementEscalated(_Event):
    """The due date passed (with the organisation's grace) and some have not confirmed: the
    document's owner is told who."""

    type: Literal["acknowledgement.escalated"] = "acknowledgement.escalated"
    request_id: uuid.UUID
    document_id: uuid.UUID
    pending: int


class MeetingPapersRead(_Event):
    """A board member confirmed they have read a meeting's papers (Dorset 7.4)."""

    type: Literal["meeting.papers_read"] = "meeting.papers_read"
    meeting_id: uuid.UUID
    board_id: uuid.UUID
    person_id: uuid.UUID
