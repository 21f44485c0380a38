"""Every kind of email the notifier sends: the one registry.

A notice of a kind not listed here cannot be created (``Notice`` and ``notifications.service``
refuse it), ``GET /v1/notifications?kind=`` accepts exactly these, and each has its three
templates in ``services/notifier/templates`` (a test walks the registry). Adding a kind is one
line here; the package that sends it says who is told (``notifications/handlers.py``).

``family`` says which module decides whether a queued notice still holds when its turn to be
sent comes (``notifications/handlers.py``, ``notifications.sending.is_still_true``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    family: str
    about: str  # who is told, and when


REGISTRY: tuple[Kind, ...] = (
    # The register (documents/notices.py, imports/notices.py) and its review schedule
    # (notifications/service.py).
    Kind("document.assigned", "document", "people newly named owner, RO or author: one email"),
    Kind(
        "tracker.assigned",
        "document",
        "people a tracker import named on documents: one email each with the counts",
    ),
    # Orphaned owners (handover/notices.py): what leavers still hold, to reassign.
    Kind(
        "people.left",
        "handover",
        "the policy team, once per deactivation or staff list: what the leavers still hold",
    ),
    Kind("review.due_soon", "review", "RO and owner, 30 and 7 days before the review date"),
    Kind("review.overdue", "review", "RO and owner, the day after the review date"),
    Kind(
        "review.escalated",
        "review",
        "each rung of the escalation ladder after the review date (default: the escalation "
        "contact two months on)",
    ),
    # Review outcomes (reviews/notices.py).
    Kind("review.no_change_to_confirm", "review_outcome", "the owner: confirm no change"),
    Kind("review.no_change_confirmed", "review_outcome", "policy team and who asked"),
    # Cascade reviews (reviews/cascade_notices.py).
    Kind(
        "review.parent_changed",
        "cascade",
        "owner and RO of the documents linked to an amended, issued one: one email each",
    ),
    # Boards and meetings (boards/notices.py).
    Kind("meeting.moved", "meeting", "people with an item on the meeting"),
    Kind("meeting.cancelled", "meeting", "people with an item on the meeting"),
    Kind("meeting.papers_circulated", "meeting", "members and standing delegates"),
    Kind("meeting.minutes_issued", "meeting", "members and action owners"),
    Kind("board.attendance_escalated", "meeting", "the board's escalation person"),
    Kind("agenda_item.deferred", "meeting", "submitter and presenter of an item placed later"),
    # Sign-off (sign_off/notices.py), the Tri.x queue (publications/notices.py), legal reviews
    # and proposals (assessments/notices.py).
    Kind("sign_off.decision_needed", "sign_off", "each person asked to decide a stage"),
    Kind(
        "sign_off.informed",
        "sign_off",
        "each person a stage shows the draft to, to acknowledge without deciding (LBBD 9)",
    ),
    Kind("sign_off.decided", "sign_off", "the document's people, submitter and policy team"),
    Kind("sign_off.withdrawn", "sign_off", "the people who were asked to decide"),
    # A stage's time limit (sign_off/time_limit_notices.py).
    Kind(
        "sign_off.stage_overdue",
        "sign_off_time_limit",
        "those yet to decide a stage, once, the working day after its time limit",
    ),
    Kind(
        "sign_off.stage_escalated",
        "sign_off_time_limit",
        "the policy team, once, when a chased stage is still undecided",
    ),
    Kind("document.published", "sign_off", "the document's people, deciders and policy team"),
    Kind("publication.queued", "publication", "the policy team: a Tri.x upload or removal"),
    Kind(
        "document.issue_withdrawn",
        "sign_off",
        "everyone involved: a refused ratification withdrew the issue (Dorset 4.5.2)",
    ),
    Kind("delegation.created", "sign_off", "the delegate and the delegator"),
    Kind("legal_review.requested", "assessment", "the lawyer named, else the policy team"),
    Kind("legal_review.answered", "assessment", "who asked and the RO"),
    Kind("proposal.decided", "assessment", "sponsor, lead officer and creator"),
    # Requests to the policy service (policy_requests/notices.py).
    Kind(
        "policy_request.made",
        "policy_request",
        "the policy team (but the requester): a new request and its triage date",
    ),
    Kind("policy_request.triaged", "policy_request", "the requester: accepted or declined"),
    # Consultations (consultations/notices.py).
    Kind("consultation.invited", "consultation", "each consultee when it opens"),
    Kind("consultation.reminder", "consultation", "consultees yet to respond"),
    Kind("consultation.response_received", "consultation", "the consultee: a receipt"),
    Kind("consultation.closed", "consultation", "each consultee, with their outcome"),
    Kind("consultation.summary", "consultation", "who opened it, the RO and owner"),
    Kind("consultation.cancelled", "consultation", "each consultee invited"),
    Kind(
        "consultation.you_said_we_did",
        "consultation",
        'each consultee asked, once, when the document is issued: the "You said, we did" link',
    ),
    # Tri.x update cycles (reviews/update_cycle_notices.py).
    Kind("update_cycle.opened", "update_cycle", "each RO their items; each RSM theirs (NCT 6.1)"),
    Kind("update_cycle.item_assigned", "update_cycle", "new assignee and the owner (NCT 6.1)"),
    Kind("update_cycle.reminder", "update_cycle", "assignees with items pending"),
    Kind("update_cycle.closed", "update_cycle", "the policy team: the cycle's report"),
    # Dis-applications, Cafcass 6.1 (dis_applications/notices.py).
    Kind("dis_application.requested", "dis_application", "the decider the organisation names"),
    Kind("dis_application.decided", "dis_application", "requester, line manager and owner"),
    Kind(
        "dis_application.ending",
        "dis_application",
        "requester and owner, 14 and 2 days (the organisation's setting) before the end date",
    ),
    Kind("dis_application.ended", "dis_application", "requester and owner: revoked or expired"),
    # Review extensions (review_extensions/notices.py).
    Kind(
        "review_extension.requested",
        "review_extension",
        "the document's owner, else the policy team: a request to move a review date",
    ),
    Kind("review_extension.decided", "review_extension", "the requester (and the owner)"),
    Kind("review_extension.ended", "review_extension", "the requester: withdrawn for them, lapsed"),
    # Implementation monitoring, Cafcass 7.4 and Dorset xi (monitoring/notices.py).
    Kind("monitoring_action.assigned", "monitoring_action", "the action's owner"),
    Kind("monitoring_action.due", "monitoring_action", "the action's owner, 7 and 1 days before"),
    Kind(
        "monitoring_action.overdue",
        "monitoring_action",
        "the document's owner and the action's owner, once, the day after the due date",
    ),
    Kind("monitoring_action.closed", "monitoring_action", "document owner and who set it"),
    # Read and acknowledge (acknowledgements/notices.py).
    Kind("acknowledgement.requested", "acknowledgement", "each person asked: their own link"),
    Kind(
        "acknowledgement.reminder",
        "acknowledgement",
        "those still pending, 5 and 1 working days (the organisation's setting) before the due",
    ),
    Kind(
        "acknowledgement.escalated",
        "acknowledgement",
        "the document's owner after the due date: who has not confirmed",
    ),
    # Launch and cascade, LBBD 10, Birmingham 11, Cafcass 7.1, Dorset 5.2 (launch/notices.py).
    Kind(
        "communication_plan.overdue",
        "launch",
        "whoever a plan item names to send it, once, the day after its date passes unsent",
    ),
    Kind(
        "news.digest",
        "launch",
        "each subscriber, once a week or month: what was issued, changed or retired",
    ),
    # Statutory sources, NCT 3.2 (statutory_sources/notices.py).
    Kind(
        "statutory_source.changed",
        "statutory_source",
        "each owner and RO of a linked document, once per change, listing their documents",
    ),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in REGISTRY}
NAMES: tuple[str, ...] = tuple(KINDS)
assert len(KINDS) == len(REGISTRY), "each kind is registered once"


def of_family(family: str) -> tuple[str, ...]:
    """The kinds whose queued notices ``family``'s module checks before sending."""
    return tuple(kind.name for kind in REGISTRY if kind.family == family)


def require_registered(kind: str) -> str:
    """``kind`` itself, if it is registered; a notice of an unknown kind is a bug."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a registered notification kind (notices/kinds.py)")
    return kind
