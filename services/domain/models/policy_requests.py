"""Requests to the policy service: anyone asks for a new document or a change to one.

Birmingham (Policy Process): "All requests for support with developing or refreshing policies,
procedures, practice standards or practice guidance should be emailed to the Policy Service
within the Practice Hub". Dorset (PPP Group aim 3 iii): the group evaluates and agrees the need
for new governance documents before they are drafted. The policy team triages each request
within the organisation's target time: accepted into a proposal or a review, or declined with
reasons; the requester may withdraw it while it is open.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class RequestKind(StrEnum):
    NEW_DOCUMENT = "new_document"
    CHANGE = "change"


class RequestUrgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"


# open -> accepted (into a proposal or a review) | declined (with reasons) | withdrawn.
class RequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class AcceptedAs(StrEnum):
    PROPOSAL = "proposal"
    REVIEW = "review"


REQUEST_KINDS = values_of(RequestKind)
REQUEST_URGENCIES = values_of(RequestUrgency)
REQUEST_STATUSES = values_of(RequestStatus)
ACCEPTED_AS = values_of(AcceptedAs)


class PolicyRequest(IdMixin, TimestampMixin, Base):
    """One request to the policy service, from its receipt to its triage."""

    __tablename__ = "policy_requests"
    __table_args__ = (
        same_organisation_fk("policy_requests", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("policy_requests", "requested_by_id", "people"),
        same_organisation_fk("policy_requests", "triaged_by_id", "people"),
        same_organisation_fk("policy_requests", "proposal_id", "proposals"),
        same_organisation_fk("policy_requests", "review_id", "reviews"),
        CheckConstraint(f"kind IN {REQUEST_KINDS!r}", name="kind"),
        CheckConstraint(f"urgency IN {REQUEST_URGENCIES!r}", name="urgency"),
        CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status"),
        CheckConstraint(f"accepted_as IN {ACCEPTED_AS!r}", name="accepted_as"),
        # A change names the document it changes; a new document names none.
        CheckConstraint("(kind = 'change') = (document_id IS NOT NULL)", name="document_given"),
        # Accepted says into what, and points at it; declined says why.
        CheckConstraint(
            "(status = 'accepted') = (accepted_as IS NOT NULL) "
            "AND (accepted_as IS DISTINCT FROM 'proposal' OR proposal_id IS NOT NULL) "
            "AND (accepted_as IS DISTINCT FROM 'review' OR review_id IS NOT NULL)",
            name="accepted_into",
        ),
        CheckConstraint("status <> 'declined' OR decision_note <> ''", name="declined_reasons"),
        # The queue: open requests of an organisation by their triage date.
        Index("ix_policy_requests_queue", "organisation_id", "status", "triage_due_on", "id"),
        Index("ix_policy_requests_requested_by_id", "requested_by_id"),
        Index("ix_policy_requests_document_id", "document_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind: Mapped[RequestKind] = mapped_column(Status(RequestKind, 20))
    # The document a change is asked of (of the same organisation).
    document_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(300))
    # What is needed and why.
    details: Mapped[str] = mapped_column(Text)
    service_area: Mapped[str | None] = mapped_column(String(200))
    urgency: Mapped[RequestUrgency] = mapped_column(
        Status(RequestUrgency, 20), default=RequestUrgency.ROUTINE, server_default="routine"
    )
    # When the requester needs it by, if they say (a London date).
    wanted_by: Mapped[date | None] = mapped_column(Date)
    requested_by_id: Mapped[uuid.UUID]
    status: Mapped[RequestStatus] = mapped_column(
        Status(RequestStatus, 20), default=RequestStatus.OPEN, server_default="open"
    )
    # The target: the policy team triages by this London date (working days after receipt).
    triage_due_on: Mapped[date] = mapped_column(Date)
    triaged_by_id: Mapped[uuid.UUID | None]
    triaged_at: Mapped[datetime | None]
    # Declined: the reasons (required); accepted: an optional note to the requester.
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    accepted_as: Mapped[AcceptedAs | None] = mapped_column(Status(AcceptedAs, 20))
    proposal_id: Mapped[uuid.UUID | None]
    review_id: Mapped[uuid.UUID | None]
    withdrawn_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}
