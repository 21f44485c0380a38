"""Who may see and run reviews, the Trix update cycles and the review tracker."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, true

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import (
    can_read_drafts,
    check_edit,
    is_policy_team,
    named_on_condition,
)
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document, acting_responsible_officer_id
from services.domain.models.people import Person
from services.domain.models.reviews import Review, UpdateCycleItem


def _asked_for(principal: Principal, review: Review) -> bool:
    return principal.person_id is not None and principal.person_id in (
        review.requested_by_id,
        review.started_by_id,
    )


@action(
    "review.read",
    "see a review",
    P.TRACKER_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.REVIEW_STARTER,
    Rule.REVIEW_REQUESTER,
    Rule.POLICY_TEAM,
    kind="test",
)
def can_read(principal: Principal, review: Review, document: Document) -> bool:
    return can_read_drafts(principal, document) or _asked_for(principal, review)


@action(
    "review.list",
    "list reviews",
    P.TRACKER_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.REVIEW_STARTER,
    Rule.REVIEW_REQUESTER,
    Rule.POLICY_TEAM,
    kind="filter",
)
def readable(principal: Principal) -> ColumnElement[bool]:
    """Reviews the caller may list (the query joins Document)."""
    if is_policy_team(principal):
        return true()
    me = principal.person_id
    if me is None:
        return false()
    return or_(
        Review.requested_by_id == me, Review.started_by_id == me, named_on_condition(principal)
    )


@action(
    "review.run",
    "start a review, name its amended draft, add the documents its change affects",
    P.REVIEWS_RUN,
    Rule.NAMED_ON_DOCUMENT,
    Rule.POLICY_TEAM,
)
def check_run(principal: Principal, document: Document) -> None:
    check_edit(principal, document)


@action(
    "review.add_documents",
    "add documents the same change affects to a review",
    P.REVIEWS_RUN,
    Rule.RESPONSIBLE_OFFICER,
    Rule.POLICY_TEAM,
)
def check_add_documents(principal: Principal, document: Document) -> None:
    if is_policy_team(principal) or (
        principal.person_id is not None
        and principal.person_id == acting_responsible_officer_id(document)
    ):
        return
    refuse(
        Rule.RESPONSIBLE_OFFICER,
        "Documents are added to a review by its responsible officer or the policy team.",
    )


@action(
    "review.state_no_change",
    "state that a review found no change needed",
    P.REVIEWS_RUN,
    Rule.RESPONSIBLE_OFFICER,
)
def check_state_no_change(principal: Principal, document: Document) -> None:
    # NCT 3.4(b)(iii): the RO makes the statement; the RSM confirms it.
    if principal.person_id is None or principal.person_id != acting_responsible_officer_id(
        document
    ):
        refuse(
            Rule.RESPONSIBLE_OFFICER,
            "Only the document's responsible officer states that no change is needed.",
        )


@action(
    "review.confirm_no_change",
    "confirm or refuse a statement that no change is needed",
    P.REVIEWS_CONFIRM,
    Rule.DOCUMENT_OWNER,
    Rule.POLICY_TEAM,
    Rule.SEGREGATION_OF_DUTIES,
)
def check_confirm(principal: Principal, review: Review, document: Document) -> None:
    me = principal.person_id
    if not (is_policy_team(principal) or (me is not None and me == document.owner_id)):
        refuse(
            Rule.DOCUMENT_OWNER,
            "A statement of no change is confirmed or refused by the document's owner or the "
            "policy team.",
        )
    # An owner standing in as RO states it: someone else confirms it.
    if me is not None and me == review.statement_by_id:
        refuse(
            Rule.SEGREGATION_OF_DUTIES,
            "You made the statement that no change is needed: someone else (the owner or the "
            "policy team) confirms it.",
        )


@action(
    "review.cancel",
    "cancel a review",
    P.REVIEWS_RUN,
    Rule.REVIEW_STARTER,
    Rule.POLICY_TEAM,
)
def check_cancel(principal: Principal, review: Review) -> None:
    if is_policy_team(principal) or (
        principal.person_id is not None and principal.person_id == review.started_by_id
    ):
        return
    refuse(Rule.REVIEW_STARTER, "A review is cancelled by whoever started it or the policy team.")


@action(
    "tracker.read",
    "read the review tracker, its summary and exports, reviews' impact and update cycles",
    P.TRACKER_READ,
)
def check_read_tracker(principal: Principal) -> None:
    """Staff read the tracker (the permission is the whole rule)."""


@action(
    "tracker.import",
    "import a review tracker (CSV or XLSX) into the register",
    P.TRACKER_IMPORT,
)
def check_import(principal: Principal) -> None:
    """The policy team moves a tracker in (the permission is the whole rule)."""


@action(
    "tracker.snapshot",
    "take the tracker's RAG snapshot of the current week again (the sweep takes it on Mondays)",
    P.TRACKER_IMPORT,
)
def check_snapshot(principal: Principal) -> None:
    """The policy team, who keep the tracker (the permission is the whole rule)."""


@action(
    "update_cycle.manage",
    "open, change and close Trix update cycles; match and assign their items",
    P.UPDATE_CYCLES_MANAGE,
)
def check_manage_cycles(principal: Principal) -> None:
    """The policy team runs update cycles (the permission is the whole rule)."""


@action(
    "update_cycle.record_outcome",
    "record the outcome of an Update Plan item (accepted, rejected, amended)",
    P.REVIEWS_RUN,
    Rule.ITEM_ASSIGNEE,
    Rule.POLICY_TEAM,
)
def check_record_outcome(principal: Principal, item: UpdateCycleItem) -> None:
    if is_policy_team(principal) or (
        principal.person_id is not None and principal.person_id == item.assigned_to_id
    ):
        return
    refuse(Rule.ITEM_ASSIGNEE, "Only the item's assignee or the policy team records its outcome.")


@action(
    "calendar_feed.person",
    "get or rotate a person's review-deadline calendar feed address",
    P.TRACKER_READ,
    Rule.THEMSELF,
    Rule.POLICY_TEAM,
)
def check_person_feed(principal: Principal, person: Person) -> None:
    if is_policy_team(principal) or principal.person_id == person.id:
        return
    refuse(Rule.THEMSELF, "Only the person themself, admins and policy officers see this feed.")


def assigned_to_me(principal: Principal, assigned_to_id: uuid.UUID | None) -> bool:
    return principal.person_id is not None and principal.person_id == assigned_to_id
