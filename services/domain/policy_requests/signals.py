"""What happens to a request that another workflow acts on (``services/domain/subscribers.py``).

Accepting a request makes a proposal or a review; the reaction that makes it
(``reactions/policy_requests.py``) records what it made with ``record_accepted``.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.domain.models.policy_requests import PolicyRequest
from services.domain.policy_requests.commands import Acceptance


@dataclass(frozen=True)
class RequestAccepted:
    """The policy team accepted ``request`` as ``acceptance`` says; it is still open until
    what it became is recorded."""

    request: PolicyRequest
    acceptance: Acceptance
    requester_name: str
