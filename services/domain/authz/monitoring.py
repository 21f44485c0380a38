"""Who may set, work on and report monitoring actions (Cafcass 7.4, Dorset xi).

Cafcass 7.4: "The Policy Author should monitor the rate of policy implementation [...] and
identify any potential delays or issues." So the people named on the document (its author,
responsible officer and owner) and the policy team set the actions and decide when one is no
longer needed; the person an action is given to records its evidence and says it is done,
and so may those who set it. Nobody but the policy team and the document's people cancels.
"""

from __future__ import annotations

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import is_named_on, is_policy_team
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document
from services.domain.models.monitoring import MonitoringAction


@action(
    "monitoring.read",
    "read a document's monitoring actions, their evidence and its implementation report",
    P.MONITORING_READ,
)
def check_read(principal: Principal) -> None:
    """Every member of staff may know how a document in force is being implemented."""


def _sets_actions(principal: Principal, document: Document) -> bool:
    return is_policy_team(principal) or is_named_on(principal, document)


@action(
    "monitoring.manage",
    "set, change and cancel a document's monitoring actions",
    P.MONITORING_MANAGE,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_manage(principal: Principal, document: Document) -> None:
    if not _sets_actions(principal, document):
        refuse(
            Rule.NAMED_ON_DOCUMENT,
            "Monitoring actions are set, changed and cancelled by the document's author, "
            "responsible officer or owner, or the policy team (Cafcass 7.4).",
        )


def _owns(principal: Principal, monitoring_action: MonitoringAction) -> bool:
    return principal.person_id is not None and principal.person_id == monitoring_action.owner_id


@action(
    "monitoring.record",
    "record evidence on a monitoring action and say it is done",
    P.MONITORING_RECORD,
    Rule.MONITORING_ACTION_OWNER,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_record(
    principal: Principal, monitoring_action: MonitoringAction, document: Document
) -> None:
    if principal.person_id is None:
        refuse(
            Rule.MONITORING_ACTION_OWNER,
            "Evidence is recorded by a person: this credential acts for no person.",
        )
    if not (_owns(principal, monitoring_action) or _sets_actions(principal, document)):
        refuse(
            Rule.MONITORING_ACTION_OWNER,
            "Only the action's owner, the document's author, responsible officer or owner, "
            "or the policy team records evidence on it or says it is done.",
        )


@action(
    "monitoring.report",
    "put an implementation report on a board meeting's agenda",
    P.AGENDA_SUBMIT,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_report(principal: Principal, document: Document | None) -> None:
    """A document's report is tabled by its people or the policy team; the organisation's
    (``document`` None) by the policy team (Dorset xi: assurance to CSLT)."""
    if is_policy_team(principal):
        return
    if document is None or not is_named_on(principal, document):
        refuse(
            Rule.POLICY_TEAM,
            "An implementation report is put to a board by the document's author, responsible "
            "officer or owner, or the policy team; the organisation's by the policy team.",
        )
