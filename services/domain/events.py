"""Domain events: the contract between the API, the notifier and webhook subscribers.

Each event is written to the outbox in the same transaction as the change it describes.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: uuid.UUID


class DocumentCreated(_Event):
    type: Literal["document.created"] = "document.created"
    document_id: uuid.UUID
    reference: str


class DocumentUpdated(_Event):
    type: Literal["document.updated"] = "document.updated"
    document_id: uuid.UUID
    changed: list[str]


class DocumentOwnerChanged(_Event):
    """The owner (RSM) or responsible officer changed: the new person should be told."""

    type: Literal["document.owner_changed"] = "document.owner_changed"
    document_id: uuid.UUID
    role: Literal["owner", "responsible_officer", "author"]
    previous_person_id: uuid.UUID | None
    person_id: uuid.UUID | None


class DocumentVersionAdded(_Event):
    type: Literal["document.version_added"] = "document.version_added"
    document_id: uuid.UUID
    version_id: uuid.UUID
    number: str
    is_issued: bool


class DocumentLinked(_Event):
    type: Literal["document.linked"] = "document.linked"
    link_id: uuid.UUID
    source_id: uuid.UUID
    target_id: uuid.UUID
    kind: str


class DocumentUnlinked(_Event):
    type: Literal["document.unlinked"] = "document.unlinked"
    link_id: uuid.UUID
    source_id: uuid.UUID
    target_id: uuid.UUID
    kind: str


Event = Annotated[
    DocumentCreated
    | DocumentUpdated
    | DocumentOwnerChanged
    | DocumentVersionAdded
    | DocumentLinked
    | DocumentUnlinked,
    Field(discriminator="type"),
]
