"""Requests to the policy service (Birmingham: requests to the Policy Service; Dorset aim 3 iii)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from services.domain.events.base import _Event


class PolicyRequestMade(_Event):
    """Someone asked the policy service for a new document or a change: the policy team is
    told, with the date they triage it by."""

    type: Literal["policy_request.made"] = "policy_request.made"
    request_id: uuid.UUID
    kind: Literal["new_document", "change"]
    document_id: uuid.UUID | None
    triage_due_on: date


class PolicyRequestTriaged(_Event):
    """The policy team accepted a request (into a proposal or a review) or declined it with
    reasons: the requester is told."""

    type: Literal["policy_request.triaged"] = "policy_request.triaged"
    request_id: uuid.UUID
    status: Literal["accepted", "declined"]
    accepted_as: Literal["proposal", "review"] | None
    proposal_id: uuid.UUID | None
    review_id: uuid.UUID | None
    document_id: uuid.UUID | None


class PolicyRequestWithdrawn(_Event):
    """The requester withdrew an open request: it leaves the policy team's queue."""

    type: Literal["policy_request.withdrawn"] = "policy_request.withdrawn"
    request_id: uuid.UUID
    document_id: uuid.UUID | None
