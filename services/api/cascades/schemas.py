"""Shapes of cascade reviews: the flags an amended parent's issue left, and the rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.types import text_field
from services.domain.reviews.cascade_flags import FlagView
from services.domain.reviews.cascade_rules import RuleView

LinkKind = Literal["governs", "implements", "form_for"]
CascadeAction = Literal["open_review", "flag", "nothing"]
FlagStatus = Literal["open", "review_opened", "attached", "dismissed"]
Reason = Annotated[str, text_field(5000, 1, multiline=True)]


class CascadeRule(BaseModel):
    link_kind: LinkKind
    action: CascadeAction
    is_default: bool = Field(description="The organisation has not set it: the default holds.")
    updated_by_id: uuid.UUID | None
    updated_at: datetime | None

    @classmethod
    def of(cls, view: RuleView) -> CascadeRule:
        return cls(
            link_kind=view.link_kind,
            action=view.action,
            is_default=view.is_default,
            updated_by_id=view.updated_by_id,
            updated_at=view.updated_at,
        )


class CascadeRulesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    governs: CascadeAction | None = Field(
        None, description="The documents an amended document governs (its procedures)."
    )
    implements: CascadeAction | None = Field(
        None, description="The documents implementing an amended one (procedures of a policy)."
    )
    form_for: CascadeAction | None = Field(None, description="The forms for an amended document.")


class DocumentRef(BaseModel):
    id: uuid.UUID
    reference: str
    title: str


class CascadeFlag(BaseModel):
    id: uuid.UUID
    document: DocumentRef = Field(description="The linked document the issue touched.")
    parent: DocumentRef = Field(description="The document amended and issued.")
    parent_version: str = Field(description="The version issued, e.g. '2.0'.")
    previous_version: str = Field(description="The version it replaced, e.g. '1.0'.")
    diff_path: str = Field(description="What changed in the parent: the API path of the diff.")
    link_kind: LinkKind
    action: CascadeAction = Field(description="What the organisation's rule for the link asked.")
    status: FlagStatus = Field(
        description="open: waiting for the RO; review_opened: a review was opened for it; "
        "attached: it was already under review and the change is noted on that review; "
        "dismissed: closed with a reason."
    )
    note: str = Field(description="Why a review asked for was not opened, if it was not.")
    review_id: uuid.UUID | None
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    dismissed_reason: str
    created_at: datetime

    @classmethod
    def of(cls, view: FlagView) -> CascadeFlag:
        flag = view.flag
        return cls(
            id=flag.id,
            document=DocumentRef(
                id=view.document.id, reference=view.document.reference, title=view.document.title
            ),
            parent=DocumentRef(
                id=view.parent.id, reference=view.parent.reference, title=view.parent.title
            ),
            parent_version=flag.parent_number,
            previous_version=flag.previous_number,
            diff_path=view.diff_path,
            link_kind=flag.link_kind,
            action=flag.action,
            status=flag.status,
            note=flag.note,
            review_id=flag.review_id,
            decided_by_id=flag.decided_by_id,
            decided_at=flag.decided_at,
            dismissed_reason=flag.dismissed_reason,
            created_at=flag.created_at,
        )


class CascadeFlagPage(BaseModel):
    items: list[CascadeFlag]
    next_cursor: str | None


class CascadeFlagDismissal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the parent's change does not touch this document.")
