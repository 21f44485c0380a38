"""Reviews and Tri.x update cycles."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class ReviewStarted(_Event):
    """A review of a document began (scheduled, unscheduled, or in an update cycle)."""

    type: Literal["review.started"] = "review.started"
    review_id: uuid.UUID
    document_id: uuid.UUID
    kind: Literal["scheduled", "unscheduled", "update_cycle"]


class ReviewNoChangeStated(_Event):
    """The RO stated that no change is needed: the RSM is asked to confirm."""

    type: Literal["review.no_change_stated"] = "review.no_change_stated"
    review_id: uuid.UUID
    document_id: uuid.UUID


class ReviewCompleted(_Event):
    """A review ended: no change confirmed, or the amended version issued."""

    type: Literal["review.completed"] = "review.completed"
    review_id: uuid.UUID
    document_id: uuid.UUID
    outcome: Literal["no_change", "amended"]
    next_review_due: date | None


class ParentChanged(_Event):
    """A document in force was amended and issued: the documents linked to it were given
    reviews or flags (cascade reviews); their owners and ROs are told once."""

    type: Literal["review.parent_changed"] = "review.parent_changed"
    # The document amended and issued (the parent).
    document_id: uuid.UUID
    version_id: uuid.UUID
    previous_version_id: uuid.UUID
    documents: int


class UpdateCycleOpened(_Event):
    """A Trix update cycle opened: each assigned RO is told their items and the deadline."""

    type: Literal["update_cycle.opened"] = "update_cycle.opened"
    cycle_id: uuid.UUID
    submission_deadline: date


class UpdateCycleItemAssigned(_Event):
    """The policy team gave an Update Plan item to someone after the cycle opened (matched it
    to a document, or moved it): the assignee and the document's owner are told (NCT 6.1)."""

    type: Literal["update_cycle.item_assigned"] = "update_cycle.item_assigned"
    cycle_id: uuid.UUID
    item_id: uuid.UUID
    document_id: uuid.UUID | None
    assigned_to_id: uuid.UUID
    previous_assigned_to_id: uuid.UUID | None


class UpdateCycleClosed(_Event):
    """A Trix update cycle closed; unfinished items may carry over."""

    type: Literal["update_cycle.closed"] = "update_cycle.closed"
    cycle_id: uuid.UUID
    carried_over: int
    next_cycle_id: uuid.UUID | None
