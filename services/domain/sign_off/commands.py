"""What the sign-off is asked to do: submit a draft, decide a stage, delegate authority."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.domain.commands import Command
from services.domain.governance.definition import Decider


@dataclass(frozen=True, kw_only=True)
class NewSignOff(Command):
    """Submit a draft version for sign-off along its route (or the route named)."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    route_id: uuid.UUID | None = None
    # Answers to the route's questions, by key (LBBD: a key decision?).
    answers: Mapping[str, bool] = field(default_factory=dict)
    # For stages whose route names nobody (NCT: several RSMs), who decides, by stage key.
    approvers: Mapping[str, Sequence[uuid.UUID]] = field(default_factory=dict)
    effective_on: date | None = None
    review_interval_months: int | None = None


@dataclass(frozen=True, kw_only=True)
class NewDecision(Command):
    """A decision on the stage waiting for it: an outcome (DECISION_OUTCOMES), not a status."""

    version_id: uuid.UUID
    outcome: str
    stage_id: uuid.UUID | None = None
    conditions: list[str] = field(default_factory=list)
    reasons: str = ""
    see_again: bool = False
    # For a deferral: the higher body; by default the route's.
    refer_to: Decider | None = None
    # For a deferral: who the decider discussed it with first (NCT 2.3.3: the RSM's AD).
    discussed_with_id: uuid.UUID | None = None
    supersedes_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class NewDelegation(Command):
    """Lend an approver's sign-off authority to a named person for a period."""

    delegate_id: uuid.UUID
    starts_on: date
    ends_on: date
    # Default: the caller. The policy team may record it for others.
    delegator_id: uuid.UUID | None = None
    reason: str = ""
