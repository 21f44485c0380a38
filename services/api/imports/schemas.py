"""A tracker import's report over HTTP (mirrors ``services.domain.imports.tracker``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class _FromDomain(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ImportProblem(_FromDomain):
    row: int = Field(description="The row as the spreadsheet numbers it (the header is row 1).")
    column: str = Field(description="The file's own heading of the column.")
    message: str


class ImportRowAction(_FromDomain):
    row: int
    reference: str
    action: Literal["create", "update", "unchanged"]
    changed: list[str] = Field(description="The document fields an update changes.")


class ImportReport(_FromDomain):
    dry_run: StrictBool
    rows: int = Field(description="Rows read, the header and blank rows apart.")
    created: int
    updated: int
    unchanged: int
    actions: list[ImportRowAction] = Field(description="What happens to each row without problems.")
    problems: list[ImportProblem] = Field(
        description="Every problem found; a real import with any is refused (422)."
    )
    ignored_columns: list[str] = Field(description="Headings the import does not read.")


class ImportJob(_FromDomain):
    """A tracker import run in the background (``background=true``), and how far it has got."""

    id: uuid.UUID
    status: Literal["queued", "running", "succeeded", "rejected", "failed"] = Field(
        description="queued, then running; then succeeded (imported), rejected (the file has "
        "problems, listed in the report, or cannot be read: see error; nothing was imported) "
        "or failed (on our side; nothing was imported)."
    )
    filename: str
    dry_run: StrictBool
    phase: Literal["checking", "importing"] | None = Field(
        description="What the rows are going through now: checked first, then imported."
    )
    done: int = Field(description="Rows through the phase so far.")
    total: int | None = Field(description="Rows in the phase.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why the import did not happen, when not the rows.")
    report: ImportReport | None = Field(
        description="Once finished: the same report the synchronous import answers."
    )
