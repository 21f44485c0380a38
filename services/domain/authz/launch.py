"""Who may plan how an issue is cascaded, say a plan item went, subscribe to the digest, and
manage the organisation's news feed.

LBBD 10: the policy team asks "Team and/or Service Managers to discuss this with staff";
Cafcass 7.1: "The Policy Sponsor should inform Regional Directors and Service Managers". The
plan is the policy team's and the document's people's (its author, responsible officer and
owner, the Policy Sponsor); whoever an item names to send it says it went.
"""

from __future__ import annotations

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_named_on, is_policy_team
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document
from services.domain.models.launch import CommunicationPlanItem, DigestSubscription


@action(
    "communication_plan.change",
    "add, change or remove items of a document's communication plan",
    P.COMMUNICATIONS_PLAN,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_plan(principal: Principal, document: Document) -> None:
    if is_policy_team(principal) or is_named_on(principal, document):
        return
    refuse(
        Rule.NAMED_ON_DOCUMENT,
        f"The communication plan of {document.reference} is its author's, responsible "
        "officer's and owner's, and the policy team's.",
    )


@action(
    "communication_plan.mark_sent",
    "say a communication plan item went (when, with a note)",
    P.COMMUNICATIONS_PLAN,
    Rule.PLAN_ITEM_OWNER,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_mark_sent(principal: Principal, document: Document, item: CommunicationPlanItem) -> None:
    mine = principal.person_id is not None and principal.person_id == item.owner_id
    if mine or is_policy_team(principal) or is_named_on(principal, document):
        return
    refuse(
        Rule.PLAN_ITEM_OWNER,
        "A plan item is marked sent by whoever it names to send it, the document's people or "
        "the policy team.",
    )


@action(
    "digest_subscription.manage",
    "choose which service areas and kinds of document one's digest lists",
    P.DIGESTS_SUBSCRIBE,
    Rule.THEMSELF,
    Rule.POLICY_TEAM,
)
def check_subscription(principal: Principal, person_id: object) -> None:
    """Anyone for themself; the policy team for anyone (a manager's request by email)."""
    if principal.person_id is not None and principal.person_id == person_id:
        return
    if is_policy_team(principal):
        return
    refuse(Rule.THEMSELF, "A person chooses their own digest (or the policy team for them).")


def can_see_subscription(principal: Principal, subscription: DigestSubscription) -> bool:
    """One's own, or every one for the policy team."""
    return principal.person_id == subscription.person_id or is_policy_team(principal)


@action(
    "news.manage",
    "preview the digest, hand out and revoke the news feed's address",
    P.NEWS_MANAGE,
    Rule.POLICY_TEAM,
)
def check_manage_news(principal: Principal) -> None:
    """The policy team (Birmingham's Practice Hub, Dorset's PPP Group chair's officer)."""
