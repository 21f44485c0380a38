"""Who may see and act on cascade reviews: the flags an amended parent's issue left on the
documents linked to it, and the organisation's rules for what such an issue does.

A flag is for the child document's RO (NCT: the RO coordinates its review); the owner, the
author and the policy team may act on it too, as they may start a review of it. Only the
policy team (admins included) sets what a parent's issue does per kind of link.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_named_on, is_policy_team, named_on_condition
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document


@action(
    "cascade_flag.read",
    "see what a parent document's amended issue asked of a linked document",
    P.TRACKER_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read(principal: Principal, document: Document) -> bool:
    return is_policy_team(principal) or is_named_on(principal, document)


@action(
    "cascade_flag.list",
    "list the flags and reviews parent documents' amended issues left",
    P.TRACKER_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    kind="filter",
)
def readable(principal: Principal) -> ColumnElement[bool]:
    """Flags the caller may list (the query joins the child Document)."""
    if is_policy_team(principal):
        return true()
    if principal.person_id is None:
        return false()
    return named_on_condition(principal)


@action(
    "cascade_flag.decide",
    "dismiss a cascade flag with a reason, or open a review of its document from it",
    P.REVIEWS_RUN,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_decide(principal: Principal, document: Document) -> None:
    if not can_read(principal, document):
        refuse(
            Rule.NAMED_ON_DOCUMENT,
            "A cascade flag is dismissed, or made a review, by the document's responsible "
            "officer, owner or author, or the policy team.",
        )


@action(
    "cascade_rule.manage",
    "set what an amended parent's issue does to the documents linked to it, per kind of link",
    P.DOCUMENTS_MANAGE,
    Rule.POLICY_TEAM,
)
def check_manage_rules(principal: Principal) -> None:
    """The policy team and admins (the permission is the whole rule)."""


@action(
    "cascade_rule.read",
    "read what an amended parent's issue does to the documents linked to it",
    P.TRACKER_READ,
)
def check_read_rules(principal: Principal) -> None:
    """Staff who read the tracker may know why a review was opened (the permission is the
    whole rule)."""
