"""Who may keep the register of statutory sources and record their changes.

NCT 3.2: a change in legislation or statutory guidance calls for an unscheduled review. The
sources (the Acts, statutory guidance, inspection frameworks), the documents linked to them
and the changes are the policy team's to record, because a change opens reviews across
everyone's documents; everyone who may read the register may read them and the impact.
"""

from __future__ import annotations

from services.domain.authz.core import Rule, action
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal


@action(
    "statutory_source.read",
    "read the statutory sources, their linked documents, changes and impact reports",
    P.DOCUMENTS_READ,
)
def check_read(principal: Principal) -> None:
    """Anyone who may read the register (the permission is the whole rule)."""


@action(
    "statutory_source.manage",
    "add, change or remove statutory sources, link documents to them, record a change (which "
    "opens reviews on every linked document) and poll a source's feed",
    P.DOCUMENTS_MANAGE,
    Rule.POLICY_TEAM,
)
def check_manage(principal: Principal) -> None:
    """The policy team (the permission is the whole rule)."""
