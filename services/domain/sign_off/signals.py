"""What happens in a sign-off that a part of the domain above the workflows acts on, where the
outbox event does not say enough (``services/domain/subscribers.py``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.publications import Publication


@dataclass
class IssueWithdrawn:
    """An issued version was withdrawn, its ratification refused (Dorset 4.5.2).

    ``went_back`` when the document went back to what it was before the issue: to
    ``reinstated`` in force again, or to a draft with none. Not when a later issue or a
    retirement stands. The reactions fill in ``publication``, the Tri.x change they queued,
    which the ``document.issue_withdrawn`` event names.
    """

    document: Document
    withdrawn: DocumentVersion
    reason: str
    went_back: bool = False
    reinstated: DocumentVersion | None = None
    # The open review the issue completed, to reopen.
    completed_review_id: uuid.UUID | None = None
    publication: Publication | None = None
