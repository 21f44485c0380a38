"""Who may record and read the work around a draft: proposals, EIAs, legal reviews, fitness."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import (
    can_read_drafts,
    is_policy_team,
    named_on_condition,
    works_on,
)
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.assessments import LegalReview, Proposal
from services.domain.models.documents import Document, acting_responsible_officer_id


@action(
    "assessment.record",
    "record an equality impact assessment or a fit-for-purpose check, or ask for a legal review",
    P.ASSESSMENTS_RECORD,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_record(principal: Principal, document: Document, what: str) -> None:
    if works_on(principal, document):
        return
    refuse(
        Rule.NAMED_ON_DOCUMENT,
        f"{what} are recorded by the document's author, responsible officer or owner, or the "
        "policy team.",
    )


@action(
    "assessment.read",
    "read a document's equality impact assessments and fit-for-purpose checks",
    P.DRAFTS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_read(principal: Principal, document: Document, what: str) -> None:
    if not can_read_drafts(principal, document):
        refuse(
            Rule.NAMED_ON_DOCUMENT,
            f"{what} are for the people working on the document and the policy team.",
        )


def _takes_part(principal: Principal, review: LegalReview) -> bool:
    return principal.person_id is not None and principal.person_id in (
        review.reviewer_id,
        review.requested_by_id,
    )


@action(
    "legal_review.read",
    "read a legal review",
    P.LEGAL_REVIEWS_ANSWER,
    Rule.NAMED_ON_DOCUMENT,
    Rule.LEGAL_REVIEWER,
    Rule.POLICY_TEAM,
)
def check_read_legal(principal: Principal, review: LegalReview, document: Document) -> None:
    if can_read_drafts(principal, document) or _takes_part(principal, review):
        return
    refuse(
        Rule.LEGAL_REVIEWER,
        "Legal reviews are for the people working on the document, the policy team and the "
        "reviewer.",
    )


@action(
    "legal_review.list",
    "list legal reviews",
    P.LEGAL_REVIEWS_ANSWER,
    Rule.NAMED_ON_DOCUMENT,
    Rule.LEGAL_REVIEWER,
    Rule.POLICY_TEAM,
    kind="filter",
)
def readable_legal(principal: Principal) -> ColumnElement[bool]:
    """Legal reviews the caller may list (the query joins Document)."""
    if is_policy_team(principal):
        return true()
    me = principal.person_id
    if me is None:
        return false()
    return or_(
        LegalReview.reviewer_id == me,
        LegalReview.requested_by_id == me,
        named_on_condition(principal),
    )


@action(
    "legal_review.answer",
    "answer the questions put to legal",
    P.LEGAL_REVIEWS_ANSWER,
    Rule.LEGAL_REVIEWER,
)
def check_answer(principal: Principal, review: LegalReview) -> None:
    if review.reviewer_id is not None:
        if principal.person_id != review.reviewer_id:
            refuse(Rule.LEGAL_REVIEWER, "Only the reviewer asked may answer this legal review.")
    elif not is_policy_team(principal):
        refuse(
            Rule.LEGAL_REVIEWER,
            "A legal review with no reviewer named is answered by the policy team.",
        )


@action(
    "assessment.state_no_material_change",
    "state that nothing material changed between an assessed draft and a later one, so the "
    "assessment carries to it",
    P.ASSESSMENTS_RECORD,
    Rule.RESPONSIBLE_OFFICER,
)
def check_state_no_material_change(principal: Principal, document: Document) -> None:
    # The judgement is the RO's (the RSM standing in when none is named); no seed lets the
    # policy team make it for them.
    me = principal.person_id
    if me is None or me != acting_responsible_officer_id(document):
        refuse(
            Rule.RESPONSIBLE_OFFICER,
            "Only the document's responsible officer states that nothing material changed "
            "between drafts; nobody else, the policy team included, may state it for them.",
        )


@action("proposal.read", "read proposals (business cases)", P.PROPOSALS_READ)
def check_read_proposals(principal: Principal) -> None:
    """Staff read proposals (the permission is the whole rule)."""


@action("proposal.create", "write a proposal (business case)", P.PROPOSALS_CREATE)
def check_create_proposal(principal: Principal) -> None:
    """Staff who draft or sign off documents propose new ones (the permission is the rule)."""


@action(
    "proposal.change",
    "change, submit to a board or withdraw a proposal",
    P.PROPOSALS_CREATE,
    Rule.PROPOSAL_PEOPLE,
    Rule.POLICY_TEAM,
)
def check_change_proposal(principal: Principal, proposal: Proposal) -> None:
    if is_policy_team(principal):
        return
    if principal.person_id is not None and principal.person_id in (
        proposal.created_by_id,
        proposal.sponsor_id,
        proposal.lead_officer_id,
    ):
        return
    refuse(
        Rule.PROPOSAL_PEOPLE,
        "A proposal is changed by its creator, sponsor or lead officer, or the policy team.",
    )
