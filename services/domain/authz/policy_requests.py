"""Who may ask the policy service for a document, see the queue, triage and withdraw requests.

Birmingham: "All requests for support with developing or refreshing policies, procedures,
practice standards or practice guidance should be emailed to the Policy Service": anyone of
the organisation asks; the policy team (the Practice Hub) triages. Nobody triages their own
request: a policy officer who asks for a document is one requester among others, and another
member of the team (or an admin) decides whether it goes ahead.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_policy_team
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.policy_requests import PolicyRequest


def is_requester(principal: Principal, request: PolicyRequest) -> bool:
    """True if the caller made the request."""
    return principal.person_id is not None and principal.person_id == request.requested_by_id


@action(
    "policy_request.make",
    "ask the policy service for a new document or a change to one",
    P.REQUESTS_MAKE,
    Rule.REQUESTER,
)
def check_make(principal: Principal) -> None:
    # The requester is told the decision, and may withdraw: a request is made by a person.
    if principal.person_id is None:
        refuse(
            Rule.REQUESTER,
            "A request to the policy service is made by a person: this key acts for nobody.",
        )


@action(
    "policy_request.read",
    "see a request to the policy service",
    P.REQUESTS_MAKE,
    Rule.REQUESTER,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read(principal: Principal, request: PolicyRequest) -> bool:
    return principal.is_system or is_policy_team(principal) or is_requester(principal, request)


@action(
    "policy_request.list",
    "list requests to the policy service (the policy team's queue; one's own requests)",
    P.REQUESTS_MAKE,
    Rule.REQUESTER,
    Rule.POLICY_TEAM,
    kind="filter",
)
def readable(principal: Principal) -> ColumnElement[bool]:
    """The requests the caller may list: every one for the policy team, else their own."""
    if principal.is_system or is_policy_team(principal):
        return true()
    if principal.person_id is None:
        return false()
    return PolicyRequest.requested_by_id == principal.person_id


@action(
    "policy_request.triage",
    "triage a request to the policy service: accept it into a proposal or a review, or "
    "decline it with reasons",
    P.DOCUMENTS_MANAGE,
    Rule.POLICY_TEAM,
    Rule.NOT_OWN_REQUEST,
)
def check_triage(principal: Principal, request: PolicyRequest) -> None:
    # Segregation of duties: whoever asked does not also agree that the need exists.
    if is_requester(principal, request):
        refuse(
            Rule.NOT_OWN_REQUEST,
            "You made this request: another member of the policy team triages it.",
        )


@action(
    "policy_request.withdraw",
    "withdraw one's own open request to the policy service",
    P.REQUESTS_MAKE,
    Rule.REQUESTER,
)
def check_withdraw(principal: Principal, request: PolicyRequest) -> None:
    if not is_requester(principal, request):
        refuse(
            Rule.REQUESTER,
            "Only the person who made a request withdraws it; the policy team declines it.",
        )
