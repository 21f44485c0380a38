"""What a dis-application is asked to do: be requested, be decided.

The API builds these from its request bodies (``NewDisApplication.of(body.model_dump(
exclude_unset=True))``).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Literal

from services.domain.commands import Command


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewDisApplication(Command):
    """Set aside part of a document in force for a team or area, for a while (Cafcass 6.1)."""

    section: str
    applies_to: str
    reasons: str
    risks: str
    mitigation: str
    starts_on: date
    ends_on: date
    # The line manager (or contract manager) it was discussed with before asking.
    discussed_with_id: uuid.UUID | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisApplicationDecision(Command):
    """The decider's answer. Approving is the decider agreeing both that the circumstances are
    exceptional and that the variation is justified (Cafcass 6.1)."""

    outcome: Literal["approved", "refused"]
    note: str
    circumstances_exceptional: bool = False
    variation_justified: bool = False
