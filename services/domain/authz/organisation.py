"""Who may administer the organisation: people, roles, API keys, webhooks, routes and posts, the
Trix queue, the audit log, the notifications and the organisation's settings.

Most of these are role-level permissions alone; the few relationship rules are named.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.domain.authz.core import action
from services.domain.authz.permissions import ROLE_PERMISSIONS
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal


@action("organisation.read", "read the organisation's settings", P.ORGANISATION_READ)
def check_read(principal: Principal) -> None:
    """Staff read their organisation's settings (the permission is the whole rule)."""


@action(
    "organisation.manage",
    "change the organisation's name, calendar, escalation contact and equality categories",
    P.ORGANISATION_MANAGE,
)
def check_manage(principal: Principal) -> None:
    """Admins only (the permission is the whole rule)."""


@action("person.read", "read the staff directory", P.PEOPLE_READ)
def check_read_people(principal: Principal) -> None:
    """Staff read the directory (the permission is the whole rule)."""


@action(
    "person.manage",
    "add people (as readers) and change their details",
    P.PEOPLE_MANAGE,
)
def check_manage_people(principal: Principal) -> None:
    """The policy team keeps the directory (the permission is the whole rule)."""


@action(
    "person.assign_roles",
    "give people roles other than reader, or take them away",
    P.ROLES_ASSIGN,
)
def check_assign_roles(principal: Principal, roles: Iterable[str] = ()) -> None:
    """Admins only: roles are authority (the permission is the whole rule)."""


def check_new_person_roles(principal: Principal, roles: Iterable[str]) -> None:
    """Adding a person: the policy team adds readers; other roles are an admin's to give."""
    check_manage_people(principal)
    if set(roles) - {"reader"}:
        check_assign_roles(principal)


@action(
    "api_key.manage",
    "issue, list and revoke API keys",
    P.API_KEYS_MANAGE,
)
def check_manage_keys(principal: Principal) -> None:
    """Admins only (the permission is the whole rule)."""


def key_role_is_held(role: str, person_roles: Iterable[str] | None) -> bool:
    """A key acting for a person can do only what both allow: its role must add nothing the
    person does not hold, or it would promise what it cannot do."""
    if person_roles is None:
        return True
    held: set[str] = set(person_roles)
    return role in held or ROLE_PERMISSIONS[role] <= frozenset().union(
        *(ROLE_PERMISSIONS[r] for r in held)
    )


@action("webhook.manage", "manage webhook subscriptions and their deliveries", P.WEBHOOKS_MANAGE)
def check_manage_webhooks(principal: Principal) -> None:
    """Admins only (the permission is the whole rule)."""


@action("route.read", "read governance routes and posts", P.ROUTES_READ)
def check_read_routes(principal: Principal) -> None:
    """Staff read the routes their documents follow (the permission is the whole rule)."""


@action(
    "route.manage",
    "add and change governance routes, and who holds each post",
    P.ROUTES_MANAGE,
)
def check_manage_routes(principal: Principal) -> None:
    """The policy team (the permission is the whole rule)."""


@action(
    "escalation_ladder.read",
    "read the escalation ladder: who is told, and when, of a review gone past its due date",
    P.ROUTES_READ,
)
def check_read_ladder(principal: Principal) -> None:
    """Staff read it, as they read the routes (the permission is the whole rule)."""


@action(
    "escalation_ladder.manage",
    "replace the escalation ladder, or go back to the default",
    P.ROUTES_MANAGE,
)
def check_manage_ladder(principal: Principal) -> None:
    """The policy team and admins, who keep the routes and posts (the permission is the whole
    rule)."""


@action(
    "publication.work",
    "work the Tri.x publication queue: list it, mark an upload or a removal done",
    P.PUBLICATIONS_WORK,
)
def check_work_queue(principal: Principal) -> None:
    """The policy team and the Tri.x upload script (the permission is the whole rule)."""


@action("audit.read", "read the audit log", P.AUDIT_READ)
def check_read_audit(principal: Principal) -> None:
    """The policy team (the permission is the whole rule)."""


@action("audit.verify", "verify the audit log's hash chain", P.AUDIT_VERIFY)
def check_verify_audit(principal: Principal) -> None:
    """Admins only (the permission is the whole rule)."""


@action(
    "notification.read",
    "see the emails the notifier owes or sent, with their state",
    P.NOTIFICATIONS_READ,
)
def check_read_notifications(principal: Principal) -> None:
    """The policy team (the permission is the whole rule)."""


def can_read_notifications(principal: Principal) -> bool:
    """Who was emailed what (addresses, delivery errors), on a timeline too: the policy team."""
    return principal.can(P.NOTIFICATIONS_READ)
