"""Consultations: opened, answered, closed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from services.domain.events.base import _Event


class ConsultationOpened(_Event):
    """A consultation opened: its consultees are invited."""

    type: Literal["consultation.opened"] = "consultation.opened"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    closes_at: datetime


class ConsultationConsulteesAdded(_Event):
    """Consultees added to an open consultation (or a new link sent): these are invited."""

    type: Literal["consultation.consultees_added"] = "consultation.consultees_added"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    consultee_ids: list[uuid.UUID]


class ConsultationResponseRecorded(_Event):
    """A consultee responded (or a response was recorded on their behalf)."""

    type: Literal["consultation.response_recorded"] = "consultation.response_recorded"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    response_id: uuid.UUID
    position: str
    is_late: bool
    is_amendment: bool


class ConsultationClosed(_Event):
    """Closed at its deadline (closed_by_id null) or early by the author."""

    type: Literal["consultation.closed"] = "consultation.closed"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    closed_by_id: uuid.UUID | None
    deemed_agreements: int


class ConsultationCancelled(_Event):
    """A consultation was cancelled, with its reason."""

    type: Literal["consultation.cancelled"] = "consultation.cancelled"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    reason: str


class ConsultationSummarySent(_Event):
    """A consultation's "You said, we did" summary is published and the document issued: its
    consultees are sent the link (once)."""

    type: Literal["consultation.summary_sent"] = "consultation.summary_sent"
    consultation_id: uuid.UUID
    document_id: uuid.UUID
    summary_id: uuid.UUID
    version_id: uuid.UUID
