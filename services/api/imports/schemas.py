"""A tracker import's report over HTTP (mirrors ``services.domain.imports.tracker``)."""

from __future__ import annotations

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
