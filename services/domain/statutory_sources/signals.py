"""What a recorded change to a statutory source tells the reactions, and what they hand back.

The reviews are another workflow's: ``reactions/statutory_sources.py`` opens them (or attaches
the change to a review already open) in the same transaction, and records here which it did
for each document, so that the impact rows say so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.domain.models.documents import Document
from services.domain.models.statutory_sources import StatutorySource, StatutorySourceChange


@dataclass
class ChangeRecorded:
    """A change to ``source`` was recorded; ``documents`` are the linked ones, locked, in id
    order. The reaction fills ``opened`` and ``attached`` (document id -> review id)."""

    source: StatutorySource
    change: StatutorySourceChange
    documents: list[Document]
    trigger_detail: str
    opened: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    attached: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
