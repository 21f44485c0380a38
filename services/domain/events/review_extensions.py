"""Review extensions: asked for, decided (agreed or refused), ended (withdrawn or lapsed)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class ReviewExtensionRequested(_Event):
    """A document's responsible officer asked to move its review date to a later one."""

    type: Literal["review_extension.requested"] = "review_extension.requested"
    review_extension_id: uuid.UUID
    document_id: uuid.UUID
    requested_by_id: uuid.UUID
    current_due: date
    requested_due: date


class ReviewExtensionDecided(_Event):
    """The document's owner or the policy team agreed (the review date moved to
    ``agreed_due``) or refused a request to move a review date."""

    type: Literal["review_extension.decided"] = "review_extension.decided"
    review_extension_id: uuid.UUID
    document_id: uuid.UUID
    status: Literal["agreed", "refused"]
    decided_by_id: uuid.UUID
    current_due: date
    agreed_due: date | None


class ReviewExtensionEnded(_Event):
    """A request to move a review date ended undecided: withdrawn, or lapsed because the
    review date it asked to move changed meanwhile."""

    type: Literal["review_extension.ended"] = "review_extension.ended"
    review_extension_id: uuid.UUID
    document_id: uuid.UUID
    status: Literal["withdrawn", "lapsed"]
    ended_by_id: uuid.UUID | None
