"""Who may ask for, decide and end dis-applications (Cafcass 6.1).

"Whenever a member of staff thinks that a policy should not be applied, s/he should discuss
this with his/her line manager before acting. The policy can only be dis-applied if the Policy
Sponsor (usually the Corporate Director) agrees that the circumstances are exceptional and
that variation is justified." Anyone on the staff may ask; only whom the organisation names
decides (its ``dis_application_decider``: by default the document's owner, the Policy
Sponsor), and never on their own request.
"""

from __future__ import annotations

import uuid

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_policy_team
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.dis_applications import DisApplication


@action(
    "dis_application.read",
    "read the register of dis-applications and those of a document",
    P.DIS_APPLICATIONS_READ,
)
def check_read(principal: Principal) -> None:
    """Every member of staff may know which parts of which documents are set aside for whom."""


@action(
    "dis_application.request",
    "ask for part of a document in force to be set aside for a team or area",
    P.DIS_APPLICATIONS_REQUEST,
    Rule.THEMSELF,
)
def check_request(principal: Principal) -> None:
    if principal.person_id is None:
        refuse(
            Rule.THEMSELF,
            "A dis-application is asked for by a member of staff: this credential acts for "
            "no person.",
        )


@action(
    "dis_application.decide",
    "approve or refuse a dis-application",
    P.DIS_APPLICATIONS_DECIDE,
    Rule.DIS_APPLICATION_DECIDER,
    Rule.SEGREGATION_OF_DUTIES,
)
def check_decide(
    principal: Principal, dis_application: DisApplication, decider_id: uuid.UUID | None
) -> None:
    """``decider_id``: whom the organisation's setting names for this document today."""
    me = principal.person_id
    if me is not None and me == dis_application.requested_by_id:
        refuse(
            Rule.SEGREGATION_OF_DUTIES,
            "Nobody decides a dis-application they asked for; it is for the decider the "
            "organisation names.",
        )
    if me is None or me != decider_id:
        refuse(
            Rule.DIS_APPLICATION_DECIDER,
            "Only the person the organisation names to decide dis-applications of this "
            "document may decide it (Cafcass 6.1: the Policy Sponsor).",
        )


@action(
    "dis_application.withdraw",
    "withdraw a dis-application not yet decided",
    P.DIS_APPLICATIONS_REQUEST,
    Rule.DIS_APPLICATION_REQUESTER,
    Rule.POLICY_TEAM,
)
def check_withdraw(principal: Principal, dis_application: DisApplication) -> None:
    mine = principal.person_id is not None and principal.person_id == (
        dis_application.requested_by_id
    )
    if not (mine or is_policy_team(principal)):
        refuse(
            Rule.DIS_APPLICATION_REQUESTER,
            "A dis-application is withdrawn by whoever asked for it, or the policy team.",
        )


@action(
    "dis_application.revoke",
    "end an approved dis-application early, with a reason",
    P.DIS_APPLICATIONS_REQUEST,
    Rule.DIS_APPLICATION_DECIDER,
    Rule.POLICY_TEAM,
)
def check_revoke(
    principal: Principal, dis_application: DisApplication, decider_id: uuid.UUID | None
) -> None:
    deciding = principal.person_id is not None and principal.person_id == decider_id
    if not (deciding or is_policy_team(principal)):
        refuse(
            Rule.DIS_APPLICATION_DECIDER,
            "An approved dis-application is ended early by the person the organisation names "
            "to decide them, or the policy team.",
        )
