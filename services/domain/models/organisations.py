from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import Base, IdMixin, TimestampMixin

EIA_CATEGORIES = (
    "age",
    "disability",
    "ethnicity",
    "gender",
    "religion_or_belief",
    "sexual_orientation",
)
# Days before a dis-application's end date that its requester and the document's owner are
# reminded (a fortnight to ask again or plan the return, then a last word).
DIS_APPLICATION_REMINDER_DAYS = (14, 2)
# Who decides a dis-application when the organisation names nobody else. Cafcass 6.1: the
# Policy Sponsor, the document's owner.
DEFAULT_DIS_APPLICATION_DECIDER = {"kind": "document_role", "role": "owner"}
# When nothing else sets an interval: a year (Cafcass 8.1: annual review; LBBD: 12-18 months).
DEFAULT_REVIEW_INTERVAL_MONTHS = 12
# Working days the policy team has to triage a request to the policy service (two weeks).
DEFAULT_REQUEST_TRIAGE_WORKING_DAYS = 10


class Organisation(IdMixin, TimestampMixin, Base):
    """A council, trust or national body; every other record belongs to exactly one."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "default_review_interval_months BETWEEN 1 AND 120", name="default_review_interval"
        ),
        CheckConstraint(
            "request_triage_working_days BETWEEN 1 AND 60", name="request_triage_working_days"
        ),
        CheckConstraint(
            "acknowledgement_due_working_days BETWEEN 1 AND 60",
            name="acknowledgement_due_working_days",
        ),
        CheckConstraint(
            "acknowledgement_escalation_working_days BETWEEN 0 AND 60",
            name="acknowledgement_escalation_working_days",
        ),
        CheckConstraint(
            "digest_frequency IN ('weekly', 'monthly', 'off')", name="digest_frequency"
        ),
        CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday"),
    )

    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Who is told when a review is badly overdue (Dorset: the Head of QA).
    escalation_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", use_alter=True, ondelete="SET NULL")
    )
    # Which bank holidays count (holidays package subdivision); England by default.
    holiday_subdivision: Mapped[str] = mapped_column(
        String(10), default="ENG", server_default="ENG"
    )
    # Further days the organisation does not work (e.g. a council's closure days).
    closure_days: Mapped[list[date]] = mapped_column(
        ARRAY(Date), default=list, server_default=text("'{}'::date[]")
    )
    # The equality categories an EIA screens (Cafcass appendix 2; configurable).
    eia_categories: Mapped[list[str]] = mapped_column(
        ARRAY(String(80)),
        default=lambda: list(EIA_CATEGORIES),
        server_default=text(
            "'{age,disability,ethnicity,gender,religion_or_belief,sexual_orientation}'::varchar[]"
        ),
    )
    # Months between reviews when no sign-off, document, route or kind sets an interval.
    default_review_interval_months: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_REVIEW_INTERVAL_MONTHS,
        server_default=str(DEFAULT_REVIEW_INTERVAL_MONTHS),
    )
    # The target time to triage a request to the policy service, in working days after it
    # arrives (Birmingham: requests go to the Policy Service; Dorset aim 3 iii).
    request_triage_working_days: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_REQUEST_TRIAGE_WORKING_DAYS,
        server_default=str(DEFAULT_REQUEST_TRIAGE_WORKING_DAYS),
    )
    # What the organisation calls the roles around a document and the sources its messages
    # cite (organisations/words.py); only what was set is stored, defaults fill the rest.
    words: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    # Who is told, and when, as a review goes unreviewed past its due date: the ordered rungs
    # of governance/ladders.py ``Ladder``; null: the default ladder (one rung, the escalation
    # contact ``POLICYGOV_REVIEW_ESCALATION_MONTHS`` after the due date).
    escalation_ladder: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB(none_as_null=True))
    # Who decides dis-applications: the holder of a post ({"kind": "post", "post": ...}) or
    # a person named on the document ({"kind": "document_role", "role": "owner"}), as a
    # governance/definition.py ``DisApplicationDecider``.
    dis_application_decider: Mapped[dict[str, Any]] = mapped_column(
        JSONB,
        default=lambda: dict(DEFAULT_DIS_APPLICATION_DECIDER),
        server_default=text("""'{"kind": "document_role", "role": "owner"}'::jsonb"""),
    )
    # Days before a dis-application ends that its requester and the document's owner are told.
    dis_application_reminder_days: Mapped[list[int]] = mapped_column(
        ARRAY(Integer),
        default=lambda: list(DIS_APPLICATION_REMINDER_DAYS),
        server_default=text("'{14,2}'::integer[]"),
    )
    # Read and acknowledge: working days to confirm when a document sets none; working days
    # before the due date that those pending are reminded; working days after it that the
    # document's owner is told who has not confirmed.
    acknowledgement_due_working_days: Mapped[int] = mapped_column(
        Integer, default=10, server_default="10"
    )
    acknowledgement_reminder_days: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=lambda: [5, 1], server_default=text("'{5,1}'::integer[]")
    )
    acknowledgement_escalation_working_days: Mapped[int] = mapped_column(
        Integer, default=2, server_default="2"
    )
    # The digest of what was issued, changed or retired (Birmingham: "the weekly email
    # communication"; Dorset 5.2: the monthly newsletter): "weekly", "monthly" or "off", sent
    # on ``digest_weekday`` (0 Monday .. 6 Sunday; monthly: the first such day of the month).
    digest_frequency: Mapped[str] = mapped_column(
        String(10), default="weekly", server_default="weekly"
    )
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped to revoke every news feed address handed out so far.
    news_feed_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}
