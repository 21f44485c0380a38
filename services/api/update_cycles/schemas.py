"""Trix update cycles over HTTP: the Update Plan, its items, outcomes and the closing report."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.types import IsoDate, Name, text_field

CycleStatus = Literal["open", "closed"]
ItemStatus = Literal["pending", "accepted", "rejected", "amended", "carried_over"]
Outcome = Literal["accepted", "rejected", "amended"]
Chapter = Annotated[str, text_field(300, 1)]
Recommendation = Annotated[str, text_field(20000, 1, multiline=True)]
Note = Annotated[str, text_field(20000, multiline=True)]


class PlanItem(BaseModel):
    """One recommended amendment of the Update Plan."""

    model_config = ConfigDict(extra="forbid")

    chapter: Chapter = Field(description="The chapter as the plan names it: a reference or title.")
    recommendation: Recommendation


class UpdateCycleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description='e.g. "Tri.x update, June 2026".')
    submission_deadline: IsoDate | None = Field(
        None, description="When the Trust's response is due; six weeks from today if not given."
    )
    items: list[PlanItem] = Field(min_length=1, max_length=2000)


class UpdateCycleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    submission_deadline: IsoDate | None = None


class UpdateCycleClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    next_cycle_id: uuid.UUID | None = Field(
        None,
        description="An open cycle to carry pending items into; by default a new cycle "
        '"<name> (carried over)" with a six-week deadline.',
    )


class UpdateCycle(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: CycleStatus
    submission_deadline: date
    carried_from_id: uuid.UUID | None
    created_by_id: uuid.UUID | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class UpdateCyclePage(BaseModel):
    items: list[UpdateCycle]
    next_cursor: str | None


class UpdateCycleItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    cycle_id: uuid.UUID
    chapter: str
    document_id: uuid.UUID | None = Field(description="Null: the chapter matched no document.")
    recommendation: str
    assigned_to_id: uuid.UUID | None
    status: ItemStatus
    outcome_note: str
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    carried_from_item_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class UpdateCycleItemUpdate(BaseModel):
    """The assignee records an outcome; the policy team may also match the item to another
    document (its acting RO is assigned unless `assigned_to_id` is given) or reassign it."""

    model_config = ConfigDict(extra="forbid")

    status: Outcome | None = None
    outcome_note: Note | None = None
    document_id: uuid.UUID | None = None
    assigned_to_id: uuid.UUID | None = None


class OpenedCycle(UpdateCycle):
    """The cycle just opened, with its items and those left for the policy team to assign."""

    items: list[UpdateCycleItem]
    unassigned_item_ids: list[uuid.UUID]


class AssigneeCounts(BaseModel):
    person_id: uuid.UUID | None = Field(description="Null: the items nobody is assigned.")
    name: str | None
    counts: dict[str, int]


class CarriedItem(BaseModel):
    item_id: uuid.UUID
    chapter: str
    document_id: uuid.UUID | None
    assigned_to_id: uuid.UUID | None
    next_item_id: uuid.UUID | None
    next_cycle_id: uuid.UUID | None


class UnmatchedItem(BaseModel):
    item_id: uuid.UUID
    chapter: str
    recommendation: str
    status: ItemStatus


class UpdateCycleReport(BaseModel):
    cycle: UpdateCycle
    counts: dict[str, int] = Field(description="Items per status.")
    assignees: list[AssigneeCounts]
    carried_over: list[CarriedItem]
    unmatched: list[UnmatchedItem] = Field(description="Items whose chapter matched no document.")
