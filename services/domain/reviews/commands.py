"""What reviews and update cycles are asked to do, as typed commands (services/domain/commands.py).

The API builds each one from its request body: ``NewReview.of(body.model_dump())``, and for a
PATCH ``ItemChange.of(body.model_dump(exclude_unset=True))``, where a field left out is UNSET.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.domain.commands import UNSET, Command, Maybe
from services.domain.models.reviews import UpdateCycleItemStatus


@dataclass(frozen=True, kw_only=True)
class NewReview(Command):
    """Start reviewing a published document (``POST /v1/reviews``)."""

    document_id: uuid.UUID
    kind: str  # one of models.reviews.REVIEW_KINDS
    # NCT 3.4(c): what prompted an unscheduled review (one of TRIGGERS); only for those.
    trigger: str | None = None
    trigger_detail: str = ""
    # Who asked for it: told when it ends with no change.
    requested_by_id: uuid.UUID | None = None
    # The update cycle item the review is part of (not a field of the request body).
    update_cycle_item_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class CycleChange(Command):
    """Rename an open update cycle or move its deadline; a field sent as null is left as it is."""

    name: Maybe[str | None] = UNSET
    submission_deadline: Maybe[date | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class ItemChange(Command):
    """An update cycle item's outcome (``status``: accepted, rejected or amended, with a note),
    or the document it is matched to and its assignee. ``document_id`` and ``assigned_to_id``
    sent as null clear them; ``status`` and ``outcome_note`` sent as null are left as they are."""

    status: Maybe[UpdateCycleItemStatus | None] = UNSET
    outcome_note: Maybe[str | None] = UNSET
    document_id: Maybe[uuid.UUID | None] = UNSET
    assigned_to_id: Maybe[uuid.UUID | None] = UNSET
