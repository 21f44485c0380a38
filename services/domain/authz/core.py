"""The machinery every policy shares: relationship rules, the registry of actions, refusals.

Each policy is a function decorated with ``@action(...)``. The decorator registers the action
(its key, what it is, the permission it needs and the relationship rules its body checks), so
the permission matrix in docs/permissions.md is generated from the same declarations the code
runs, and it checks the permission before the body runs: a policy body only ever adds
relationship rules on top of the role gate, it cannot forget it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, NoReturn, ParamSpec, TypeVar, cast

from sqlalchemy import false

from services.domain.authz.permissions import Permission
from services.domain.authz.principal import Principal
from services.domain.errors import Forbidden


class Rule(StrEnum):
    """Relationship rules: who, beyond holding the permission, may act on a given record.

    The value is the stable key a 403 problem names (``rule``); the description is the
    matrix legend.
    """

    POLICY_TEAM = "policy_team"
    NAMED_ON_DOCUMENT = "named_on_document"
    RESPONSIBLE_OFFICER = "responsible_officer"
    DOCUMENT_OWNER = "document_owner"
    SUBMITTER = "submitter"
    STAGE_APPROVER = "stage_approver"
    SEGREGATION_OF_DUTIES = "segregation_of_duties"
    OWN_DECISION = "own_decision"
    OWN_AUTHORITY = "own_authority"
    DELEGATION_PARTY = "delegation_party"
    CONSULTEE = "consultee"
    REVIEW_STARTER = "review_starter"
    REVIEW_REQUESTER = "review_requester"
    ITEM_ASSIGNEE = "item_assignee"
    BOARD_CHAIR = "board_chair"
    BOARD_MEMBER = "board_member"
    ACTION_OWNER = "action_owner"
    ITEM_SUBMITTER = "item_submitter"
    LEGAL_REVIEWER = "legal_reviewer"
    PROPOSAL_PEOPLE = "proposal_people"
    REQUESTER = "requester"
    NOT_OWN_REQUEST = "not_own_request"
    DIS_APPLICATION_DECIDER = "dis_application_decider"
    DIS_APPLICATION_REQUESTER = "dis_application_requester"
    REVIEW_EXTENSION_REQUESTER = "review_extension_requester"
    MONITORING_ACTION_OWNER = "monitoring_action_owner"
    THEMSELF = "themself"
    ACKNOWLEDGER = "acknowledger"
    PLAN_ITEM_OWNER = "plan_item_owner"
    INFORMED = "informed"
    ROLE = "role"


RULES: dict[Rule, str] = {
    Rule.POLICY_TEAM: "anyone holding `documents:manage` (admins and policy officers)",
    Rule.NAMED_ON_DOCUMENT: "the document's author, responsible officer or owner",
    Rule.RESPONSIBLE_OFFICER: (
        "the document's responsible officer (its owner stands in when none is named)"
    ),
    Rule.DOCUMENT_OWNER: "the document's owner (RSM, Policy Sponsor)",
    Rule.SUBMITTER: "whoever submitted the sign-off",
    Rule.STAGE_APPROVER: (
        "a person asked to decide the stage waiting for a decision, or their delegate today"
    ),
    Rule.SEGREGATION_OF_DUTIES: (
        "not the document's author, an uploader of a draft under decision, or the submitter; "
        "no delegation lends authority to them; a route with `allow_self_approval` lifts "
        "this and the decision records that it was self-approved"
    ),
    Rule.OWN_DECISION: "the person who took the decision (or the delegate who took it for them)",
    Rule.OWN_AUTHORITY: "the person whose authority is lent (the policy team for anyone)",
    Rule.DELEGATION_PARTY: "the person who delegated or the delegate",
    Rule.CONSULTEE: "a person asked to respond, once the consultation has opened",
    Rule.REVIEW_STARTER: "whoever started the review",
    Rule.REVIEW_REQUESTER: "whoever asked for the review",
    Rule.ITEM_ASSIGNEE: "the person the Update Plan item is assigned to",
    Rule.BOARD_CHAIR: "the board's chair or a vice-chair",
    Rule.BOARD_MEMBER: "a member of the board or a member's standing delegate",
    Rule.ACTION_OWNER: "the owner of the meeting action",
    Rule.ITEM_SUBMITTER: "whoever submitted the agenda item",
    Rule.LEGAL_REVIEWER: "the lawyer asked (the policy team when nobody is named)",
    Rule.PROPOSAL_PEOPLE: "the proposal's sponsor, lead officer or creator",
    Rule.REQUESTER: "the person who made the request to the policy service",
    Rule.NOT_OWN_REQUEST: (
        "not the person who made the request: another member of the policy team triages it"
    ),
    Rule.DIS_APPLICATION_DECIDER: (
        "whom the organisation names to decide dis-applications (`dis_application_decider`): "
        "the holder of a post for the document's service area, or a person named on the "
        "document (by default its owner, Cafcass's Policy Sponsor); never the requester"
    ),
    Rule.DIS_APPLICATION_REQUESTER: "whoever asked for the dis-application",
    Rule.REVIEW_EXTENSION_REQUESTER: "whoever asked to move the review date",
    Rule.MONITORING_ACTION_OWNER: "the person the monitoring action is given to",
    Rule.THEMSELF: "the person themself",
    Rule.ACKNOWLEDGER: "the person asked to read and acknowledge (or whose link it is)",
    Rule.PLAN_ITEM_OWNER: "the person a communication plan item names to send it",
    Rule.INFORMED: (
        "a person a sign-off stage showed the draft to, to acknowledge without deciding "
        "(the route's `inform`: LBBD's Heads of Service and Cabinet Member)"
    ),
    Rule.ROLE: "the roles of both the credential and its person grant the permission",
}


@dataclass(frozen=True)
class Action:
    """One thing a principal may be allowed to do, as the permission matrix lists it."""

    key: str
    summary: str
    permission: Permission
    rules: tuple[Rule, ...]
    # check: raises Forbidden; test: answers True or False (a record one may not see is
    # answered 404 by its caller); filter: narrows a list to the readable rows.
    kind: Literal["check", "test", "filter"]


ACTIONS: dict[str, Action] = {}

P = ParamSpec("P")
R = TypeVar("R")


def refuse(rule: Rule, detail: str) -> NoReturn:
    """A 403 problem that names the rule which refused."""
    raise Forbidden(detail, rule=rule.value)


def require(principal: Principal, permission: Permission) -> None:
    """Forbidden unless the caller's credential and person both grant ``permission``."""
    require_any(principal, (permission,))


def require_any(principal: Principal, permissions: Iterable[Permission]) -> None:
    """Forbidden unless the caller holds at least one of ``permissions``."""
    wanted = tuple(permissions)
    if any(principal.can(p) for p in wanted):
        return
    names = " or ".join(p.value for p in wanted)
    raise Forbidden(
        f"Your role does not allow this ({names}): a request can do only what both its API "
        "key's role and its person's roles allow.",
        rule=Rule.ROLE.value,
        permission=names,
    )


def _principal_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Principal:
    for value in (*args, *kwargs.values()):
        if isinstance(value, Principal):
            return value
    raise TypeError("a policy is called with the principal")  # pragma: no cover


def action(
    key: str,
    summary: str,
    permission: Permission,
    *rules: Rule,
    kind: Literal["check", "test", "filter"] = "check",
    denied: Any = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a policy and put the permission check in front of its body.

    A ``check`` without the permission raises Forbidden (rule ``role``); a ``test`` answers
    False; a ``filter`` answers ``denied``, by default a condition that matches nothing.
    """
    if key in ACTIONS:
        raise ValueError(f"the action {key!r} is declared twice")
    ACTIONS[key] = Action(key, summary, permission, rules, kind)

    def decorate(body: Callable[P, R]) -> Callable[P, R]:
        def refused(principal: Principal) -> Any:
            if kind == "check":
                require(principal, permission)
            if kind == "test":
                return False
            return false() if denied is None else denied

        if inspect.iscoroutinefunction(body):

            @functools.wraps(body)
            async def gated_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                principal = _principal_of(args, kwargs)
                if not principal.can(permission):
                    return refused(principal)
                return await cast(Callable[P, Awaitable[Any]], body)(*args, **kwargs)

            return cast(Callable[P, R], gated_async)

        @functools.wraps(body)
        def gated(*args: P.args, **kwargs: P.kwargs) -> Any:
            principal = _principal_of(args, kwargs)
            if not principal.can(permission):
                return refused(principal)
            return body(*args, **kwargs)

        return cast(Callable[P, R], gated)

    return decorate
