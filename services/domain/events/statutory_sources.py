"""Statutory sources: a change recorded (by hand or from the source's feed)."""

from __future__ import annotations

import uuid
from typing import Literal

from services.domain.events.base import _Event


class StatutorySourceChanged(_Event):
    """A change to a statutory source was recorded: unscheduled reviews were opened on the
    linked documents in force, and each owner and RO is told once, with their documents."""

    type: Literal["statutory_source.changed"] = "statutory_source.changed"
    source_id: uuid.UUID
    change_id: uuid.UUID
    reviews_opened: int
    already_under_review: int
    documents: int
