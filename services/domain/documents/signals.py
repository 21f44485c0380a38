"""What happens to a document that a part of the domain above the register acts on, where the
outbox event does not say enough (``services/domain/subscribers.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from services.domain.models.documents import Document, DocumentStatus


@dataclass(frozen=True)
class StatusChanged:
    """A document's register status changed, from ``previous_status`` to its status now."""

    document: Document
    previous_status: DocumentStatus
