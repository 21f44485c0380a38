"""The reactions floor: who acts, in the same transaction, on what happens elsewhere.

Workflows never call each other or up: the package where something happens calls
``subscribers.react`` and this table says who acts on it, in order. Each process installs it
once at start-up (``install``); the subscribers are in the modules beside this one.
"""

from __future__ import annotations

from services.domain import events, subscribers
from services.domain.documents.signals import StatusChanged
from services.domain.policy_requests.signals import RequestAccepted
from services.domain.reactions import (
    acknowledgements,
    cascades,
    consultation_summaries,
    dis_applications,
    launch,
    minutes,
    policy_requests,
    review_extensions,
    reviews,
    statutory_sources,
    trix,
)
from services.domain.sign_off.signals import IssueWithdrawn
from services.domain.statutory_sources.signals import ChangeRecorded

TABLE: dict[type, tuple[subscribers.Subscriber, ...]] = {
    # Dorset 7.4, LBBD stage 9: the minutes decide the proposal or sign-off stage on the agenda.
    events.DecisionRecorded: (minutes.decide_proposal, minutes.decide_sign_off_stage),
    # A version registered as issued is live on Tri.x: no older one may be uploaded after it.
    # Cafcass 7.1: staff are asked to read and acknowledge a new whole version (a sign-off's
    # issue reacts to this event too, before ``DocumentPublished``).
    # LBBD 10, Birmingham 11: an issue is announced (digest, news feed) with its plan.
    # LBBD, Birmingham, Cafcass: the consultees are sent "You said, we did".
    events.DocumentVersionAdded: (
        trix.cancel_older_uploads,
        acknowledgements.ask_on_issue,
        launch.announce_issue,
        consultation_summaries.send_on_issue,
    ),
    # Retired or superseded in the register: its removal from Tri.x is queued, and its
    # dis-applications end (Cafcass 6.1: nothing of it is left to set aside); a request to move
    # its review date lapses.
    StatusChanged: (
        trix.queue_removal,
        dis_applications.end_with_document,
        acknowledgements.cancel_with_document,
        launch.announce_retirement,
        review_extensions.lapse_with_document,
    ),
    # Cafcass 4.11: the issued version goes to Tri.x; LBBD, Dorset 8.1: the review it amends
    # is done; NCT 3.4(c)(ii): the documents linked to an amended one get a review or a flag.
    events.DocumentPublished: (
        trix.queue_issued_upload,
        reviews.complete_review,
        cascades.cascade_to_linked,
    ),
    # Dorset 4.5.2: ratification refused, so the interim issue is undone, Tri.x included.
    IssueWithdrawn: (
        trix.cancel_withdrawn_upload,
        reviews.reopen_review,
        trix.queue_what_is_in_force,
        acknowledgements.cancel_withdrawn,
        launch.announce_withdrawal,
    ),
    # Birmingham, Dorset aim 3 iii: an accepted request becomes a proposal or a review.
    RequestAccepted: (policy_requests.make_proposal_or_review,),
    # NCT 3.2: a change in legislation or statutory guidance reviews every linked document.
    ChangeRecorded: (statutory_sources.open_reviews,),
}


def install() -> None:
    """Install the table for this process (the API, the notifier, the command line, tests)."""
    subscribers.install(TABLE)
