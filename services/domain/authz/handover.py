"""Handing over what a leaver held: who may see everything a person holds, move it to someone
else (a document's ownership, a sign-off stage's seat, an action, an update cycle item), and
import a staff list that marks people as left.

The policy team and admins keep the directory (``people:manage``), so they do this; a member
of staff reassigns nothing of a colleague's, and nobody reads a colleague's workload.
"""

from __future__ import annotations

from services.domain.authz.core import action
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal


@action(
    "person.read_holdings",
    "see everything a person holds (documents, sign-off seats, actions, items) and the "
    "documents with no active owner",
    P.PEOPLE_MANAGE,
)
def check_read_holdings(principal: Principal) -> None:
    """The policy team and admins (the permission is the whole rule)."""


@action(
    "person.reassign_holdings",
    "move what a person holds to another active person, all or nothing",
    P.PEOPLE_MANAGE,
)
def check_reassign(principal: Principal) -> None:
    """The policy team and admins (the permission is the whole rule); each move is also
    checked by the policy of the record it changes."""


@action(
    "staff_list.import",
    "import a staff list (CSV) that marks the people who have left as inactive",
    P.PEOPLE_MANAGE,
)
def check_import_staff_list(principal: Principal) -> None:
    """The policy team and admins (the permission is the whole rule)."""
