"""Who may run, see and respond to consultations, and what an external consultee's link opens."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, true

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import (
    can_read_drafts,
    is_policy_team,
    named_on_condition,
    works_on,
)
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.consultations import Consultation, ConsultationStatus, Consultee
from services.domain.models.documents import Document


@action(
    "consultation.run",
    "open, change, close or cancel a consultation; add consultees, send or withdraw their "
    "links; record a response received by email or post; analyse the responses",
    P.CONSULTATIONS_RUN,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_run(principal: Principal, document: Document) -> None:
    if works_on(principal, document):
        return
    refuse(
        Rule.NAMED_ON_DOCUMENT,
        "Consultations are run by the document's author, responsible officer or owner, or the "
        "policy team.",
    )


@action(
    "consultation.agree_report",
    "record that the consultation's report was agreed (Cafcass 4.7: by the Policy Sponsor at "
    "CMT, before it is shared at ECMT)",
    P.CONSULTATIONS_RUN,
    Rule.DOCUMENT_OWNER,
    Rule.POLICY_TEAM,
)
def check_agree_report(principal: Principal, document: Document) -> None:
    if is_policy_team(principal) or (
        principal.person_id is not None and principal.person_id == document.owner_id
    ):
        return
    refuse(
        Rule.DOCUMENT_OWNER,
        "The report is agreed by the document's owner (the Policy Sponsor), or recorded by the "
        "policy team.",
    )


@action(
    "consultation.read_responses",
    "see who was consulted, every response and the consultation report",
    P.DRAFTS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read_responses(principal: Principal, document: Document) -> bool:
    return can_read_drafts(principal, document)


def check_read_responses(principal: Principal, document: Document) -> None:
    if not can_read_responses(principal, document):
        refuse(
            Rule.NAMED_ON_DOCUMENT,
            "Only the document's team and the policy team see who was consulted.",
        )


@action(
    "consultation.read",
    "see a consultation and the draft it is about",
    P.CONSULTATIONS_RESPOND,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    Rule.CONSULTEE,
    kind="test",
)
def can_read(
    principal: Principal, consultation: Consultation, document: Document, *, is_consultee: bool
) -> bool:
    if can_read_drafts(principal, document):
        return True
    return is_consultee and consultation.status != ConsultationStatus.SCHEDULED


@action(
    "consultation.list",
    "list consultations",
    P.CONSULTATIONS_RESPOND,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    Rule.CONSULTEE,
    kind="filter",
)
def readable(principal: Principal) -> ColumnElement[bool]:
    """Consultations the caller runs or (once open) is consulted on (joined to Document)."""
    if is_policy_team(principal):
        return true()
    me = principal.person_id
    if me is None:
        return false()
    consulted = (Consultation.status != ConsultationStatus.SCHEDULED) & exists().where(
        Consultee.consultation_id == Consultation.id, Consultee.person_id == me
    )
    return or_(named_on_condition(principal), consulted)


@action(
    "consultation.respond",
    "respond to a consultation (and change the response until it closes)",
    P.CONSULTATIONS_RESPOND,
    Rule.CONSULTEE,
)
def check_respond(principal: Principal, consultee: Consultee | None) -> Consultee:
    if consultee is None or consultee.person_id != principal.person_id:
        refuse(Rule.CONSULTEE, "You are not asked to respond to this consultation.")
    return consultee


def check_link(
    consultation: Consultation, consultee: Consultee, *, is_current: bool, is_expired: bool
) -> None:
    """What a genuine external consultee's link may still open (no account, no principal).

    Called once the token's signature is known to be ours.
    """
    if not is_current or consultee.link_revoked_at is not None:
        refuse(
            Rule.CONSULTEE,
            "This consultation link has been withdrawn. Ask the policy team for a new one.",
        )
    if consultation.status == ConsultationStatus.SCHEDULED:
        refuse(Rule.CONSULTEE, "This consultation has not opened yet.")
    if consultation.status == ConsultationStatus.CANCELLED:
        refuse(Rule.CONSULTEE, "This consultation was cancelled.")
    if is_expired:
        refuse(Rule.CONSULTEE, "This consultation link has expired.")


@action(
    "consultation.summary_edit",
    'draft, change and publish a consultation\'s "You said, we did" summary',
    P.CONSULTATIONS_RUN,
    Rule.POLICY_TEAM,
)
def check_edit_summary(principal: Principal) -> None:
    if is_policy_team(principal):
        return
    refuse(
        Rule.POLICY_TEAM,
        'The "You said, we did" summary is written and published by the policy team.',
    )


@action(
    "consultation.summary_read_draft",
    'see a consultation\'s "You said, we did" summary while it is a draft',
    P.DRAFTS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read_summary_draft(principal: Principal, document: Document) -> bool:
    """A draft is drafted from the responses: only those who see the responses see it. Once
    published it is public (services/pages/outcomes.py) and anyone may read it."""
    return can_read_responses(principal, document)
