"""Who may ask to move a review date, decide the request, withdraw it, and set the limits.

The responsible officer (the owner standing in when none is named: NCT 2.3.4) asks; the
document's owner (the RSM, NCT 2.3; Dorset 8.2: "Document owners are responsible for ensuring
that reviews are conducted in a timely manner") or the policy team decides, never the person who
asked (an owner standing in as RO asks the policy team).
"""

from __future__ import annotations

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_policy_team
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document, acting_responsible_officer_id
from services.domain.models.review_extensions import ReviewExtension


@action(
    "review_extension.read",
    "read requests to move review dates, and the organisation's limits on them",
    P.TRACKER_READ,
)
def check_read(principal: Principal) -> None:
    """Staff read the tracker, and so how its dates moved (the permission is the whole rule)."""


@action(
    "review_extension.request",
    "ask to move a document's review date to a later one",
    P.REVIEWS_RUN,
    Rule.RESPONSIBLE_OFFICER,
)
def check_request(principal: Principal, document: Document) -> None:
    me = principal.person_id
    if me is None or me != acting_responsible_officer_id(document):
        refuse(
            Rule.RESPONSIBLE_OFFICER,
            "Only the document's responsible officer (its owner, when none is named) asks to "
            "move its review date.",
        )


@action(
    "review_extension.decide",
    "agree or refuse a request to move a review date",
    P.REVIEWS_CONFIRM,
    Rule.DOCUMENT_OWNER,
    Rule.POLICY_TEAM,
    Rule.SEGREGATION_OF_DUTIES,
)
def check_decide(principal: Principal, extension: ReviewExtension, document: Document) -> None:
    me = principal.person_id
    if me is not None and me == extension.requested_by_id:
        refuse(
            Rule.SEGREGATION_OF_DUTIES,
            "Nobody decides their own request to move a review date: the document's owner or "
            "the policy team does.",
        )
    if me is None or not (me == document.owner_id or is_policy_team(principal)):
        refuse(
            Rule.DOCUMENT_OWNER,
            "A request to move a review date is agreed or refused by the document's owner or "
            "the policy team.",
        )


@action(
    "review_extension.withdraw",
    "withdraw a request to move a review date not yet decided",
    P.REVIEWS_RUN,
    Rule.REVIEW_EXTENSION_REQUESTER,
    Rule.POLICY_TEAM,
)
def check_withdraw(principal: Principal, extension: ReviewExtension) -> None:
    mine = principal.person_id is not None and principal.person_id == extension.requested_by_id
    if not (mine or is_policy_team(principal)):
        refuse(
            Rule.REVIEW_EXTENSION_REQUESTER,
            "A request to move a review date is withdrawn by whoever asked, or the policy team.",
        )


@action(
    "review_extension.limits",
    "set how far, and how often, a review date may be moved",
    P.DOCUMENTS_MANAGE,
    Rule.POLICY_TEAM,
)
def check_set_limits(principal: Principal) -> None:
    """Admins and the policy team set the limits (the permission is the whole rule)."""
