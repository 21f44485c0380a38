"""A document: added, changed, its people, versions and links."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from services.domain.events.base import _Event


class DocumentCreated(_Event):
    """A document was added to the register."""

    type: Literal["document.created"] = "document.created"
    document_id: uuid.UUID
    reference: str


class DocumentUpdated(_Event):
    """A document's register fields changed (`changed` names them)."""

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


class PersonAssigned(BaseModel):
    model_config = ConfigDict(frozen=True)

    person_id: uuid.UUID
    roles: list[Literal["owner", "responsible_officer", "author"]]


class DocumentPeopleAssigned(_Event):
    """People newly named on a document by one change, each once with every role they were
    given: the notifier writes each of them one email. (``document.owner_changed`` stays one
    event per role, for webhook subscribers.)"""

    type: Literal["document.people_assigned"] = "document.people_assigned"
    document_id: uuid.UUID
    assigned: list[PersonAssigned]


class DocumentVersionAdded(_Event):
    """A version (draft, or one already issued elsewhere) was uploaded or registered."""

    type: Literal["document.version_added"] = "document.version_added"
    document_id: uuid.UUID
    version_id: uuid.UUID
    number: str
    is_issued: bool


class DocumentLinked(_Event):
    """Two documents were linked (governs, implements, form_for, supersedes...)."""

    type: Literal["document.linked"] = "document.linked"
    link_id: uuid.UUID
    source_id: uuid.UUID
    target_id: uuid.UUID
    kind: str


class DocumentUnlinked(_Event):
    """A link between two documents was removed."""

    type: Literal["document.unlinked"] = "document.unlinked"
    link_id: uuid.UUID
    source_id: uuid.UUID
    target_id: uuid.UUID
    kind: str
