"""What a review extension is asked to do: be requested, be decided; and the organisation's
limits. The API builds these from its request bodies (``NewReviewExtension.of(...)``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

from services.domain.commands import Command


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewReviewExtension(Command):
    """Move the document's review date to ``requested_due``, for ``reasons``."""

    requested_due: date
    reasons: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReviewExtensionDecision(Command):
    """Agree (to the date asked for, or an earlier one after the current date) or refuse."""

    outcome: Literal["agreed", "refused"]
    note: str
    agreed_due: date | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtensionLimits(Command):
    """How far past the date a review period was first due its review may be put back, in
    all (months), and how many extensions one review period may have (0: none)."""

    max_months: int
    max_extensions: int
