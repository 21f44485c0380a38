"""What requests to the policy service are asked to do, as typed commands.

The API builds each from its request body: ``NewPolicyRequest.of(body.model_dump(
exclude_unset=True))``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.domain.commands import Command
from services.domain.models.policy_requests import AcceptedAs, RequestKind, RequestUrgency


@dataclass(frozen=True, kw_only=True)
class NewPolicyRequest(Command):
    """Ask for a new document, or a change to an existing one (``document_id``)."""

    kind: RequestKind
    title: str
    details: str
    document_id: uuid.UUID | None = None
    service_area: str | None = None
    urgency: RequestUrgency = RequestUrgency.ROUTINE
    wanted_by: date | None = None


@dataclass(frozen=True, kw_only=True)
class Acceptance(Command):
    """Accept a request into a proposal (a business case, for a new document or a change) or
    into an unscheduled review of the document it asks to change."""

    into: AcceptedAs
    note: str = ""
    # A review: what prompted it (models.reviews.TRIGGERS; "other" unless given).
    trigger: str | None = None
    # A proposal: its sponsor and lead officer, if known already.
    sponsor_id: uuid.UUID | None = None
    lead_officer_id: uuid.UUID | None = None
