"""What the register is asked to do: add a document or a kind, change one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from services.domain.commands import UNSET, Command, Maybe
from services.domain.models.documents import DocumentStatus


@dataclass(frozen=True, kw_only=True)
class NewDocument(Command):
    """A register entry: a tracker row or ``POST /v1/documents``."""

    reference: str
    title: str
    kind: str
    summary: str = ""
    service_area: str | None = None
    category: str | None = None
    owner_id: uuid.UUID | None = None
    responsible_officer_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    status: DocumentStatus = DocumentStatus.DRAFT
    review_interval_months: int | None = None
    next_review_due: date | None = None
    # The register's last review, as a tracker moved in states it (not asked by the API).
    last_reviewed_on: date | None = None
    tags: list[str] = field(default_factory=list)
    trix_url: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    forms_aligned_on: date | None = None
    forms_aligned_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class DocumentChange(Command):
    """A change to a register entry: the fields given are set, the rest left as they are."""

    reference: Maybe[str] = UNSET
    title: Maybe[str] = UNSET
    summary: Maybe[str] = UNSET
    kind: Maybe[str] = UNSET
    service_area: Maybe[str | None] = UNSET
    category: Maybe[str | None] = UNSET
    owner_id: Maybe[uuid.UUID | None] = UNSET
    responsible_officer_id: Maybe[uuid.UUID | None] = UNSET
    author_id: Maybe[uuid.UUID | None] = UNSET
    status: Maybe[DocumentStatus] = UNSET
    review_interval_months: Maybe[int | None] = UNSET
    next_review_due: Maybe[date | None] = UNSET
    last_reviewed_on: Maybe[date | None] = UNSET
    tags: Maybe[list[str]] = UNSET
    trix_url: Maybe[str | None] = UNSET
    approved_by: Maybe[str | None] = UNSET
    approved_on: Maybe[date | None] = UNSET
    forms_aligned_on: Maybe[date | None] = UNSET
    forms_aligned_by: Maybe[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class NewKind(Command):
    key: str
    label: str
    requires_owner: bool = False
    default_review_interval_months: int | None = None


@dataclass(frozen=True, kw_only=True)
class KindChange(Command):
    """The key is permanent: everything else may change."""

    label: Maybe[str] = UNSET
    requires_owner: Maybe[bool] = UNSET
    default_review_interval_months: Maybe[int | None] = UNSET
    is_active: Maybe[bool] = UNSET
