"""Handing over what a leaver held: holdings, reassignments, staff lists, orphaned documents."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.domain.handover.reassign import MAX_MOVES

HoldingKind = Literal[
    "document",
    "sign_off_stage",
    "monitoring_action",
    "update_cycle_item",
    "post",
    "board_member",
    "acknowledgement_request",
]
MovableKind = Literal["document", "sign_off_stage", "monitoring_action", "update_cycle_item"]
MovableRole = Literal["owner", "responsible_officer", "author", "decider", "assignee"]


class Holding(BaseModel):
    kind: HoldingKind
    id: uuid.UUID
    role: str = Field(
        description="owner, responsible_officer or author of a document; decider of a "
        "sign-off stage; owner of a monitoring action; assignee of an update cycle item; "
        "holder of a post; member or chair of a board; asked_by of a request to acknowledge."
    )
    title: str
    document_id: uuid.UUID | None
    reference: str | None
    within_id: uuid.UUID | None = Field(
        description="What it belongs to: a stage's sign-off, an item's cycle, a seat's board."
    )
    reassignable: bool = Field(
        description="Moved by POST /v1/people/{id}/reassignments; otherwise `how` says where."
    )
    how: str | None


class Holdings(BaseModel):
    person_id: uuid.UUID
    name: str
    is_active: bool
    counts: dict[str, int] = Field(description="How many of each kind are listed.")
    more: list[HoldingKind] = Field(
        description="Kinds with more than the 500 listed: move them, then read again."
    )
    items: list[Holding]


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MovableKind
    role: MovableRole
    id: uuid.UUID | None = Field(
        None, description="The record to move; left out: everything of this kind in this role."
    )


class ReassignmentCreate(BaseModel):
    """What to move and to whom. All of it moves, or nothing does."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "to_person_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a00",
                    "items": [
                        {"kind": "document", "role": "owner"},
                        {
                            "kind": "sign_off_stage",
                            "role": "decider",
                            "id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a11",
                        },
                    ],
                }
            ]
        },
    )

    to_person_id: uuid.UUID = Field(description="An active person of the organisation.")
    items: list[Move] = Field(min_length=1, max_length=MAX_MOVES)


class Reassignment(BaseModel):
    from_person_id: uuid.UUID
    to_person_id: uuid.UUID
    moved: list[Holding]


class Leaver(BaseModel):
    row: int
    email: str
    person_id: uuid.UUID
    name: str
    already_inactive: bool
    holdings: dict[str, int] = Field(description="What they hold, counted by kind.")
    more: list[HoldingKind]


class RowNote(BaseModel):
    row: int
    message: str


class StaffListReport(BaseModel):
    dry_run: bool
    rows: int = Field(description="Rows read, blank ones left out.")
    leavers: list[Leaver] = Field(description="People of the directory the list says have left.")
    unknown: list[RowNote] = Field(description="Leavers whose email the directory does not know.")
    problems: list[RowNote] = Field(description="Rows that cannot be read.")
    marked: int = Field(description="People marked as left (0 in a dry run).")


class OrphanedDocument(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    status: str
    service_area: str | None
    owner_id: uuid.UUID | None
    owner_name: str | None
    responsible_officer_id: uuid.UUID | None
    responsible_officer_name: str | None
    vacant_roles: list[Literal["owner", "responsible_officer"]]


class OrphanedDocumentPage(BaseModel):
    items: list[OrphanedDocument]
    next_cursor: str | None
