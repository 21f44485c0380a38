"""What a webhook message says of the document it is about, so a subscriber can act on the
common cases (show it, file it, chase its owner) without calling back."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.documents import Document


class DocumentSnapshot(BaseModel):
    """The document as it stood when the message was written (moments after the event; a
    later change sends its own message)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    reference: str
    title: str
    kind: str
    status: str
    service_area: str | None
    latest_version: str | None = Field(description="The newest version's number, e.g. 1.2.")
    issued_version: str | None = Field(description="The version in force, if any.")
    next_review_due: date | None
    owner_id: uuid.UUID | None
    responsible_officer_id: uuid.UUID | None
    author_id: uuid.UUID | None
    trix_url: str | None
    href: str = Field(description="The document in the API, relative to the API's address.")


async def document_snapshot(
    session: AsyncSession, organisation_id: uuid.UUID, document_id: Any
) -> dict[str, Any] | None:
    """The snapshot of ``document_id`` in ``organisation_id`` as JSON, or None if there is none."""
    try:
        wanted = uuid.UUID(str(document_id))
    except ValueError:
        return None
    # From the session if the relay read it ahead (services.domain.notifications.service).
    document = await session.get(Document, wanted)
    if document is None or document.organisation_id != organisation_id:
        return None
    fields = {
        name: getattr(document, name) for name in DocumentSnapshot.model_fields if name != "href"
    }
    snapshot = DocumentSnapshot(**fields, href=f"/v1/documents/{document.id}")
    return snapshot.model_dump(mode="json")
