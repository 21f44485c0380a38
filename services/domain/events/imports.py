"""Tracker imports."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.domain.events.base import _Event


class TrackerImportRequested(_Event):
    """A tracker was sent to be imported in the background (``GET /v1/imports/{id}`` follows
    it); ``tracker.imported`` tells when it has been."""

    type: Literal["tracker.import_requested"] = "tracker.import_requested"
    import_id: uuid.UUID
    filename: str
    dry_run: bool


class PersonNamed(BaseModel):
    """Someone a tracker import named on the documents it created: on how many, in each role."""

    model_config = ConfigDict(frozen=True)

    person_id: uuid.UUID
    documents: int
    roles: dict[str, int]


class TrackerImported(_Event):
    """A tracker (CSV or XLSX) was imported into the register. The documents it created tell
    no one one by one (each has its ``document.created``, but no ``document.owner_changed`` or
    ``document.people_assigned``): ``named`` lists everyone they name, and the notifier writes
    each of them one email with the counts."""

    type: Literal["tracker.imported"] = "tracker.imported"
    documents_created: int
    documents_updated: int
    filename: str = ""
    named: list[PersonNamed] = Field(default_factory=list)
