"""Emails: rendering every kind, and sending to a real SMTP server (aiosmtpd) or to files.

The SMTP server runs in its own thread on a free port of 127.0.0.1 and can be scripted to
answer a command with an error before accepting, as real relays do under load.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from services.domain.acknowledgements.confirming import link_token as acknowledgement_link
from services.domain.consultations.links import link_token
from services.domain.models.notifications import Notification
from services.domain.notices import kinds as registry
from services.domain.notices.notice import Notice
from services.domain.settings import Settings
from services.notifier.email import (
    TEMPLATES,
    PermanentMailError,
    TransientMailError,
    compose,
    long_date,
    long_datetime,
    render,
)
from services.notifier.mail_backends import FileBackend, SmtpBackend, backend_for
from tests.tls import Certificate, self_signed

DOCUMENT_ID = "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a00"
COMMON = {
    "document_id": DOCUMENT_ID,
    "reference": "CS-PR-012",
    "title": "Children missing from care",
    "recipient_name": "Amara Okafor",
    "organisation_name": "Northshire Children's Trust",
    "contact_name": "Priya Shah",
    "contact_email": "priya.shah@northshire.example",
}
# What each dis-application email says of it (the id and path ride along for the checks
# before sending).
DIS_APPLICATION = {
    "section": "4.2 Home visits within 10 working days",
    "applies_to": "South West team",
}
DIS_APPLICATION_SPAN = {"starts_on": "2026-12-08", "ends_on": "2027-01-19"}
# What each monitoring action email says of it (monitoring/notices.py writes more: the ids and
# path that its checks read).
MONITORING_ACTION = {
    "action_title": "Audit ten case files for the new risk assessment",
    "due_on": "2026-12-08",
}
# What each review extension email says of it (the id rides along for the checks).
REVIEW_EXTENSION = {"current_due": "2026-12-31", "requested_due": "2027-02-26"}
ACKNOWLEDGEMENT_ID = "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a0e"
ACKNOWLEDGEMENT = {"version": "2.0", "due_on": "2026-12-08"}
ASKED = {
    **ACKNOWLEDGEMENT,
    "acknowledgement_id": ACKNOWLEDGEMENT_ID,
    "message": "Section 4 on return interviews has changed.",
}
# One sample context per kind, as services.domain.notifications.service writes them.
SAMPLES: dict[str, dict[str, Any]] = {
    # Read and acknowledge (issue 19 item 1).
    "acknowledgement.requested": ASKED,
    "acknowledgement.reminder": {**ASKED, "reminder_days": 1},
    "acknowledgement.escalated": {
        **ACKNOWLEDGEMENT,
        "asked": 12,
        "pending": 3,
        "pending_names": ["Sam Patel (North locality)", "Tom Hughes", "Jo Green"],
        "more_pending": 0,
    },
    # Dis-applications (Cafcass 6.1).
    "dis_application.requested": {
        **DIS_APPLICATION,
        **DIS_APPLICATION_SPAN,
        "dis_application_path": "/v1/dis-applications/0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a0d",
        "requested_by_name": "Sam Patel",
        "reasons": "Two social workers off sick: 10-day visits cannot all be made.",
        "risks": "A child at risk is seen later than the procedure requires.",
        "mitigation": "Daily phone contact and visits prioritised by risk.",
        "discussed_with_name": "Tom Hughes",
    },
    "dis_application.decided": {
        **DIS_APPLICATION,
        **DIS_APPLICATION_SPAN,
        "requested_by_name": "Sam Patel",
        "status": "approved",
        "decision_note": "Exceptional staffing; justified for six weeks.",
        "decided_by_name": "Catherine Ashdown",
    },
    "dis_application.ending": {**DIS_APPLICATION, "ends_on": "2027-01-19", "days_left": 14},
    "dis_application.ended": {
        **DIS_APPLICATION,
        "status": "revoked",
        "end_reason": "Staffing is back to normal.",
    },
    # Review extensions (review_extensions/notices.py).
    "review_extension.requested": {
        **REVIEW_EXTENSION,
        "review_extension_path": "/v1/review-extensions/0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a0f",
        "original_due": "2026-11-30",
        "times_extended_before": 1,
        "requested_by_name": "Sam Patel",
        "reasons": "The Review Session cannot meet until the new structure is in place.",
    },
    "review_extension.decided": {
        **REVIEW_EXTENSION,
        "requested_by_name": "Sam Patel",
        "status": "agreed",
        "agreed_due": "2027-02-26",
        "decision_note": "Agreed: the new structure is confirmed in February.",
        "decided_by_name": "Catherine Ashdown",
    },
    "review_extension.ended": {
        **REVIEW_EXTENSION,
        "status": "lapsed",
        "end_reason": "The review date it asked to move is no longer the document's.",
    },
    # Implementation monitoring, Cafcass 7.4 and Dorset xi.
    "monitoring_action.assigned": {
        **MONITORING_ACTION,
        "description": "Pick two per team; record the file numbers.",
        "issued_version": "1.0",
    },
    "monitoring_action.due": {**MONITORING_ACTION, "days_left": 7},
    "monitoring_action.overdue": {
        **MONITORING_ACTION,
        "days_overdue": 1,
        "owner_name": "Tom Hughes",
    },
    "monitoring_action.closed": {
        "action_title": MONITORING_ACTION["action_title"],
        "status": "done",
        "outcome": "Eight of ten case files audited show the new risk assessment.",
        "closed_by_name": "Tom Hughes",
    },
    # Launch and cascade (services.domain.launch.notices): a plan item gone unsent (its id and
    # path ride along for the check before sending).
    "communication_plan.overdue": {
        "item_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a77",
        "audience": "Team and Service Managers",
        "channel": "ASC newsletter (newsletter)",
        "planned_on": "2026-12-08",
        "version": "1.0",
    },
    "document.assigned": {"roles": ["owner", "responsible officer"]},
    "review.due_soon": {"due_date": "2026-12-08", "days": 30},
    "review.overdue": {"due_date": "2026-12-08"},
    "review.escalated": {
        "due_date": "2026-12-08",
        "months": 2,
        "responsible_officer_name": "Tom Hughes",
        "owner_name": "Grace Adeyemi",
    },
    # As services.domain.sign_off.notices writes them.
    "sign_off.decision_needed": {
        "sign_off_path": "/v1/sign-offs/abc",
        "stage_name": "Director approval",
        "round": 2,
        "version": "0.4",
        "conditions": ["Add the police contact numbers"],
    },
    "sign_off.informed": {
        "sign_off_path": "/v1/sign-offs/abc",
        "acknowledge_path": "/v1/sign-offs/abc/acknowledgements",
        "stage_name": "Shared at OMT and with other relevant Heads of Service",
        "version": "0.3",
    },
    "sign_off.stage_overdue": {
        "sign_off_path": "/v1/sign-offs/abc",
        "stage_name": "Heads of Profession",
        "version": "0.4",
        "due_on": "2026-12-24",
    },
    "sign_off.stage_escalated": {
        "sign_off_path": "/v1/sign-offs/abc",
        "stage_name": "Heads of Profession",
        "version": "0.4",
        "due_on": "2026-12-24",
        "waiting_names": ["Rupert Langham"],
        "approvals": 1,
        "refusals": 0,
        "abstentions": 1,
        "eligible": 3,
        "quorum": 3,
        "is_quorate": False,
    },
    "sign_off.decided": {
        "sign_off_path": "/v1/sign-offs/abc",
        "amendments_path": "/v1/sign-offs/abc/amendments",
        "stage_name": "Director approval",
        "version": "0.3",
        "outcome": "approved_with_conditions",
        "outcome_words": "approved with conditions",
        "conditions": ["Add the police contact numbers"],
        "reasons": "Sound, once the contacts are added",
        "decided_by_name": "Tom Hughes",
        "on_behalf_of_name": "Grace Adeyemi",
        "discussed_with_name": "Simon Harte",
        "vote_words": "Votes so far: 2 for, 0 against, 1 abstained, of 3; the stage is approved.",
        "stage_refused": False,
        "is_responsible_officer": True,
    },
    "sign_off.withdrawn": {
        "sign_off_path": "/v1/sign-offs/abc",
        "version": "0.3",
        "stage_names": ["Director approval"],
    },
    "document.published": {
        "version": "1.0",
        "issued_on": "2026-12-08",
        "effective_on": "2026-12-08",
        "next_review_due": "2027-12-08",
    },
    "publication.queued": {"action": "upload", "version": "1.0", "reason": "issued"},
    # The keys this rendering reads; ``trix_action`` matters only when nothing is reinstated.
    "document.issue_withdrawn": {
        "sign_off_path": "/v1/sign-offs/abc",
        "version": "2.0",
        "reason": "Ratification refused at the PPP meeting: consult the Fostering Network first.",
        "in_force_version": "1.0",
        "reinstated": True,
        "next_review_due": "2027-06-08",
    },
    "legal_review.requested": {
        "version": "0.3",
        "question": "May we share the child's address with the police?",
        "requested_by_name": "Tom Hughes",
        "to_policy_team": False,
    },
    "legal_review.answered": {
        "version": "0.3",
        "question": "May we share the child's address with the police?",
        "outcome": "changes_advised",
        "advice": "Cite the data protection exemption.",
        "answered_by_name": "Grace Adeyemi",
    },
    # As services.domain.reviews.notices writes them.
    "review.no_change_to_confirm": {
        "review_path": "/v1/reviews/0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a22",
        "statement": "The procedure has been reviewed and no changes are required.",
        "statement_by_name": "Tom Hughes",
    },
    "review.no_change_confirmed": {
        "trigger": "inspection_advice",
        "statement": "The inspection point is already covered in section 4.",
        "confirmed_by_name": "Grace Adeyemi",
        "next_review_due": "2027-12-08",
        "is_requester": True,
    },
}
LINK = f"http://policygov.example/documents/{DOCUMENT_ID}"
# Meeting emails are about a meeting, not (necessarily) one document.
PEOPLE = {k: v for k, v in COMMON.items() if k not in ("document_id", "reference", "title")}
MEETING_ID = "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a11"
MEETING_LINK = f"http://policygov.example/meetings/{MEETING_ID}"
# As services.domain.boards.notices writes them.
MEETING_SAMPLES: dict[str, dict[str, Any]] = {
    "meeting.moved": {
        "board_name": "PPP Group",
        "meeting_id": MEETING_ID,
        "previous_starts_at": "2026-12-01T10:00:00+00:00",
        "starts_at": "2026-12-08T10:00:00+00:00",
        "location": "Room 2, County Hall",
        "items": ["Children missing from care", "Lone working"],
    },
    "meeting.cancelled": {
        "board_name": "PPP Group",
        "meeting_id": MEETING_ID,
        "starts_at": "2026-12-08T10:00:00+00:00",
        "location": "",
        "items": ["Children missing from care"],
        "reason": "The chair is unwell",
        "moved_to_starts_at": "2027-01-12T10:00:00+00:00",
    },
    "meeting.papers_circulated": {
        "board_name": "PPP Group",
        "meeting_id": MEETING_ID,
        "starts_at": "2026-12-08T10:00:00+00:00",
        "location": "Room 2",
        "is_late": True,
        "agenda": [
            {
                "section": "progress_report",
                "title": "Audit progress",
                "reference": None,
                "version": None,
                "paper_path": None,
            },
            {
                "section": "new_proposals_and_drafts",
                "title": "Children missing from care",
                "reference": "CS-PR-012",
                "version": "0.3",
                "paper_path": "/v1/agenda-items/abc/paper",
            },
        ],
    },
    "meeting.minutes_issued": {
        "board_name": "PPP Group",
        "meeting_id": MEETING_ID,
        "starts_at": "2026-12-08T10:00:00+00:00",
        "decisions": [
            {
                "title": "Children missing from care",
                "outcome": "approved_with_conditions",
                "conditions": ["Add the police contact numbers"],
            }
        ],
        "actions": [
            {"description": "Tell the teams", "owner_name": "Tom Hughes", "due_on": "2027-01-05"}
        ],
        "your_actions": [],
    },
    "board.attendance_escalated": {
        "board_name": "PPP Group",
        "meeting_id": MEETING_ID,
        "member_name": "Tom Hughes",
        "missed": ["2026-11-10", "2026-12-08"],
    },
    "agenda_item.deferred": {
        "title": "Children missing from care",
        "board_name": "PPP Group",
        "meeting_id": MEETING_ID,
        "requested_starts_at": "2026-12-08T10:00:00+00:00",
        "starts_at": "2027-01-12T10:00:00+00:00",
        "location": "Room 2",
    },
}
# Sign-off emails about no one document.
UNFILED_SAMPLES: dict[str, dict[str, Any]] = {
    # As services.domain.reviews.cascade_notices writes it: one email per owner or RO.
    "review.parent_changed": {
        "parent_document_id": DOCUMENT_ID,
        "parent_reference": "CS-PO-001",
        "parent_title": "Safeguarding children policy",
        "number": "3.0",
        "previous_number": "2.0",
        "entries": [
            {
                "document_id": DOCUMENT_ID,
                "reference": "CS-PR-012",
                "title": "Children missing from care",
                "status": "review_opened",
                "note": "",
                "review_path": "/v1/reviews/0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a66",
                "roles": ["owner", "responsible_officer"],
            },
            {
                "document_id": DOCUMENT_ID,
                "reference": "CS-FO-009",
                "title": "Missing episode form",
                "status": "open",
                "note": "",
                "review_path": None,
                "roles": ["responsible_officer"],
            },
        ],
        "more": 3,
    },
    "delegation.created": {
        "delegator_name": "Grace Adeyemi",
        "delegate_name": "Tom Hughes",
        "starts_on": "2026-12-08",
        "ends_on": "2026-12-22",
        "reason": "Annual leave",
        "is_delegate": True,
    },
    "proposal.decided": {
        "proposal_title": "A procedure for children missing from care",
        "status": "approved",
        "decision_note": "Consult the police first",
        "board_name": "PPP Group",
    },
    # Requests to the policy service (services.domain.policy_requests.notices): about a new
    # document, so about no document yet.
    "policy_request.made": {
        "request_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a33",
        "request_title": "A procedure for children missing from care",
        "request_kind": "new_document",
        "details": "Social workers have no written procedure for return interviews.",
        "service_area": "Children in Care",
        "urgency": "urgent",
        "wanted_by": "2027-03-31",
        "triage_due_on": "2026-12-08",
        "requested_by_name": "Tom Hughes",
    },
    # Declined: what that path reads (an acceptance reads ``accepted_as`` too).
    "policy_request.triaged": {
        "request_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a33",
        "request_title": "A procedure for children missing from care",
        "status": "declined",
        "decision_note": "PROC-014 already covers return interviews.",
        "triaged_by_name": "Priya Shah",
    },
    # The digest (services.domain.launch.digest): about several documents, so no one document.
    "news.digest": {
        "frequency": "weekly",
        "starts_on": "2026-11-30",
        "ends_on": "2026-12-06",
        "counts": {"issued": 1, "changed": 1, "retired": 1},
        "entries": [
            {
                "change": "issued",
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a55",
                "reference": "CS-PR-014",
                "title": "Return home interviews",
                "kind": "Procedure",
                "service_area": "Children in Care",
                "number": "1.0",
                "summary": "A new procedure: interviews within 72 hours of a return.",
                "on": "2026-12-01",
            },
            {
                "change": "changed",
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a66",
                "reference": "CS-PO-003",
                "title": "Supervision policy",
                "kind": "Policy",
                "service_area": None,
                "number": "2.0",
                "summary": "Supervision every four weeks, not six.",
                "on": "2026-12-02",
            },
            {
                "change": "retired",
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a77",
                "reference": "CS-FO-009",
                "title": "Paper referral form",
                "kind": "Form",
                "service_area": "Front Door",
                "number": "3.0",
                "summary": "Retired: no longer in force.",
                "on": "2026-12-03",
            },
        ],
        "more": 0,
    },
    # As services.domain.notifications.service writes it for a tracker import.
    "tracker.assigned": {
        "documents": 1412,
        "roles": [
            {"title": "responsible officer", "documents": 1400},
            {"title": "Responsible Strategic Manager", "documents": 12},
        ],
        "filename": "Procedures tracker 2026.xlsx",
    },
    # As services.domain.statutory_sources.notices writes it (NCT 3.2), but the change_id
    # its still_applies reads.
    "statutory_source.changed": {
        "source_title": "Working Together to Safeguard Children 2023",
        "summary": "Chapter 3 updated: multi-agency expectations for child protection.",
        "effective_on": "2027-01-15",
        "entries": [
            {
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a55",
                "reference": "CS-PR-014",
                "title": "Strategy discussions",
                "outcome": "review_opened",
                "roles": ["responsible officer"],
            },
            {
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a66",
                "reference": "CS-PR-021",
                "title": "Child protection conferences",
                "outcome": "already_under_review",
                "roles": ["Responsible Strategic Manager", "responsible officer"],
            },
        ],
        "more": 0,
        "reviews_opened": 1,
    },
    # As services.domain.handover.notices writes it when a staff list marks people as left
    # (less ``person_ids``, which only its still_applies reads).
    "people.left": {
        "source": "staff_list",
        "filename": "HR leavers November.csv",
        "leavers": [
            {
                "name": "Lee Leaver",
                "email": "lee.leaver@northshire.example",
                "total": 3,
                "kinds": ["2 documents", "1 sign-off stage"],
            }
        ],
        "entries": [
            {
                "person": "Lee Leaver",
                "what": "document",
                "role": "Responsible Strategic Manager",
                "title": "Children missing from care",
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a77",
                "reference": "CS-PR-012",
            },
            {
                "person": "Lee Leaver",
                "what": "sign-off stage",
                "role": "decider",
                "title": "CS-PR-012: RSM approval",
                "document_id": "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a77",
                "reference": "CS-PR-012",
            },
        ],
        "more": 1,
    },
}
CONSULTATION_ID = "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a22"
CONSULTATION_LINK = f"http://policygov.example/consultations/{CONSULTATION_ID}"
# As services.domain.consultations.notices writes them, to a person consulted;
# each holds only what its template reads on that path (a closing "at the end of" a day reads
# the day, an exact closing time the moment). They link to the consultation, not the
# document: external consultees have no account.
CONSULTATION = {
    "reference": "CS-PR-012",
    "title": "Children missing from care",
    "consultation_id": CONSULTATION_ID,
    "consultation_title": "CS-PR-012 Children missing from care",
    "version": "0.3",
    "is_external": False,
}
CONSULTATION_SAMPLES: dict[str, dict[str, Any]] = {
    "consultation.invited": {
        "consultation_kind": "pre_meeting",
        "closes_at": "2026-12-08T17:00:00+00:00",
        "closing_day": "2026-12-08",
        "closes_end_of_day": False,
        "deemed_agreement": True,
        "opened_by_name": "Grace Adeyemi",
        "represents": "",
        "description": "We are revising how we respond when a child goes missing.",
        "questions_count": 2,
        "meeting_board_name": "PPP Group",
        "meeting_starts_at": "2026-12-15T10:00:00+00:00",
    },
    "consultation.reminder": {
        "closing_day": "2026-12-08",
        "closes_end_of_day": True,
        "deemed_agreement": True,
        "days_left": 2,
    },
    "consultation.response_received": {
        "closes_at": "2026-12-08T17:00:00+00:00",
        "closes_end_of_day": False,
        "position_words": "support the draft, with comments",
        "comments": "Add the police contact numbers.",
        "submitted_at": "2026-12-01T09:30:00+00:00",
        "is_late": False,
        "is_amendment": True,
        "recorded_by_name": "Grace Adeyemi",
    },
    "consultation.closed": {
        "closed_early": True,
        "closed_at": "2026-12-04T12:00:00+00:00",
        "outcome": "received",
        "position_words": "support the draft, with comments",
    },
    "consultation.cancelled": {"reason": "The wrong draft was attached."},
    "consultation.you_said_we_did": {
        "summary_path": "/you-said-we-did/0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a55",
        "issued_version": "1.0",
        "themes": ["Contacts", "Thresholds"],
        "represents": "Kent Police",
    },
}
# To the author, responsible officer and owner: about the document, and linking to it.
SUMMARY_SAMPLE = {
    "consultation_title": "CS-PR-012 Children missing from care",
    "version": "0.3",
    "closed_early": False,
    "closes_at": "2026-12-08T17:00:00+00:00",
    "closes_end_of_day": False,
    "deemed_agreement": True,
    "counts": {
        "support": 3,
        "support_with_comments": 2,
        "object": 1,
        "no_view": 0,
        "deemed_agreement": 2,
    },
    "consultees_count": 8,
    "responded_count": 6,
    "late_count": 1,
    "non_responders": ["Tom Hughes", "Kent Police"],
    "report_path": f"/v1/consultations/{CONSULTATION_ID}/report.html",
    "is_author": True,
}
CYCLE_ID = "0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a33"
CYCLE_LINK = f"http://policygov.example/update-cycles/{CYCLE_ID}"
# As services.domain.reviews.update_cycle_notices writes them: about a Trix update
# cycle, linking to it; an item matched to no document has no reference or title. Each holds
# only what its template reads.
CYCLE = {
    "cycle_id": CYCLE_ID,
    "cycle_name": "Tri.x update June 2026",
    "submission_deadline": "2026-12-08",
}
CYCLE_ITEMS = [
    {
        "chapter": "cs-pr-012",
        "reference": "CS-PR-012",
        "title": "Children missing from care",
        "recommendation": "Reflect the revised statutory guidance on missing children.",
    },
    {
        "chapter": "Lone working",
        "reference": None,
        "title": None,
        "recommendation": "Add the new out-of-hours contact arrangements.",
    },
]
UPDATE_CYCLE_SAMPLES: dict[str, dict[str, Any]] = {
    "update_cycle.opened": {"items": CYCLE_ITEMS, "is_carried_over": False},
    "update_cycle.reminder": {"items": CYCLE_ITEMS[:1], "days_left": 3},
    "update_cycle.item_assigned": {
        "item": {**CYCLE_ITEMS[0], "assignee_name": "Tom Hughes"},
        "is_assignee": False,
    },
    "update_cycle.closed": {
        "counts": {"pending": 0, "accepted": 3, "rejected": 1, "amended": 2, "carried_over": 2},
        "carried": [{**item, "assignee_name": "Tom Hughes"} for item in CYCLE_ITEMS],
        "next_cycle_name": "Tri.x update June 2026 (carried over)",
        "next_submission_deadline": "2027-01-20",
        "unmatched": ["Lone working"],
        "report_path": f"/v1/update-cycles/{CYCLE_ID}/report",
    },
}
EVERY_SAMPLE = (
    {kind: {**COMMON, **extra} for kind, extra in SAMPLES.items()}
    | {kind: {**PEOPLE, **extra} for kind, extra in (MEETING_SAMPLES | UNFILED_SAMPLES).items()}
    | {kind: {**PEOPLE, **CONSULTATION, **extra} for kind, extra in CONSULTATION_SAMPLES.items()}
    | {"consultation.summary": {**COMMON, **SUMMARY_SAMPLE}}
    | {kind: {**PEOPLE, **CYCLE, **extra} for kind, extra in UPDATE_CYCLE_SAMPLES.items()}
)


def make_notification(kind: str = "review.due_soon", **context: Any) -> Notification:
    return Notification(
        id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        kind=kind,
        dedupe_key=f"test:{uuid.uuid4()}",
        recipient_email="amara.okafor@northshire.example",
        context={**EVERY_SAMPLE[kind], **context},
    )


@pytest.fixture
def mail_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "frontend_base_url": "http://policygov.example/",
            "mail_from": "policies@northshire.example",
            "mail_dir": tmp_path / "mail",
            "smtp_timeout_seconds": 5.0,
        }
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


# --- a real SMTP server -----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    over_tls: bool
    login: bytes | None
    peer: object = None  # the client's (host, port): one per connection


@dataclass
class ScriptedHandler:
    """Records what it accepts; ``replies[command]`` are answered first, one per attempt."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, list[str]] = field(default_factory=lambda: {"RCPT": [], "DATA": []})

    async def handle_RCPT(
        self,
        server: object,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.replies["RCPT"]:
            return self.replies["RCPT"].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.replies["DATA"]:
            return self.replies["DATA"].pop(0)
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                over_tls=server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
                login=session.auth_data if isinstance(session.auth_data, bytes) else None,
                peer=session.peer,
            )
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpServer:
    handler: ScriptedHandler
    port: int


def start_server(handler: ScriptedHandler, **options: Any) -> tuple[Controller, SmtpServer]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, SmtpServer(handler, port)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    controller, server = start_server(ScriptedHandler())
    yield server
    controller.stop()


def smtp(settings: Settings, port: int, **update: Any) -> Settings:
    return settings.model_copy(
        update={"mail_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port, **update}
    )


# --- rendering --------------------------------------------------------------------------------


def test_long_date_is_weekday_day_month_year() -> None:
    assert long_date("2026-12-08") == "Tuesday 8 December 2026"
    assert long_date(dt.date(2027, 1, 1)) == "Friday 1 January 2027"


def test_long_date_shows_a_time_as_its_london_date() -> None:
    # 23:30 UTC on 30 June is 00:30 BST on 1 July; in winter London is on UTC.
    assert long_date("2026-06-30T23:30:00+00:00") == "Wednesday 1 July 2026"
    assert long_date("2026-01-31T23:30:00+00:00") == "Saturday 31 January 2026"


def test_long_datetime_shows_the_london_wall_clock_time() -> None:
    assert long_datetime("2026-12-08T10:00:00+00:00") == "Tuesday 8 December 2026, 10:00"
    # Summer: 09:00 UTC is 10:00 BST, and 23:30 UTC is half past midnight the next day.
    assert long_datetime("2026-06-09T09:00:00Z") == "Tuesday 9 June 2026, 10:00"
    assert long_datetime("2026-06-30T23:30:00+00:00") == "Wednesday 1 July 2026, 00:30"
    assert long_datetime(dt.datetime(2026, 6, 9, 9, 0)) == "Tuesday 9 June 2026, 10:00"


def test_there_is_a_sample_for_every_kind_that_has_templates() -> None:
    kinds = {p.name.removesuffix(".subject.j2") for p in TEMPLATES.glob("*.subject.j2")}
    assert kinds == set(EVERY_SAMPLE)
    for kind in kinds:
        assert (TEMPLATES / f"{kind}.txt.j2").is_file()
        assert (TEMPLATES / f"{kind}.html.j2").is_file()


def test_the_registry_of_kinds_is_exactly_the_kinds_with_templates() -> None:
    """One registry (notices/kinds.py): every kind in it has its three templates and a
    sample here, and no template is for a kind it lacks."""
    templated = {p.name.removesuffix(".subject.j2") for p in TEMPLATES.glob("*.subject.j2")}
    assert set(registry.NAMES) == templated == set(EVERY_SAMPLE)
    families = {kind.family for kind in registry.REGISTRY}
    assert families == {
        "acknowledgement",
        "handover",
        "document",
        "review",
        "review_outcome",
        "cascade",
        "meeting",
        "sign_off",
        "sign_off_time_limit",
        "publication",
        "assessment",
        "consultation",
        "update_cycle",
        "policy_request",
        "dis_application",
        "review_extension",
        "monitoring_action",
        "launch",
        "statutory_source",
    }


def test_a_monitoring_action_email_names_the_action_its_date_and_what_to_do(
    mail_settings: Settings,
) -> None:
    due = parts(render(make_notification("monitoring_action.due"), mail_settings))
    overdue = parts(render(make_notification("monitoring_action.overdue"), mail_settings))
    closed = parts(render(make_notification("monitoring_action.closed"), mail_settings))

    for body in due:
        assert "Audit ten case files for the new risk assessment" in body
        assert "in 7 days" in body and "Tuesday 8 December 2026" in body
    for body in overdue:
        assert "1 day late" in body and "Owner: Tom Hughes" in body
        assert "only reminder" in body
    for body in closed:
        assert "Tom Hughes has completed" in body
        assert "Outcome: Eight of ten case files audited" in body


def test_a_notice_of_a_kind_not_in_the_registry_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="not a registered notification kind"):
        Notice("review.forgotten", None, {})


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_kind_renders_reference_title_link_and_contact_in_both_parts(
    kind: str, mail_settings: Settings
) -> None:
    notification = make_notification(kind)
    message = render(notification, mail_settings)

    assert message.get_content_type() == "multipart/alternative"
    assert "CS-PR-012" in message["Subject"]
    text, html = parts(message)
    for body in (text, html):
        assert "Dear Amara Okafor," in body
        assert "CS-PR-012" in body
        assert LINK in body  # frontend_base_url's trailing slash is not doubled
        assert "Priya Shah" in body and "priya.shah@northshire.example" in body
    assert "Children missing from care" in text
    # The HTML escapes the apostrophe and the title's characters as it should.
    assert "Northshire Children&#39;s Trust" in html
    if "due_date" in SAMPLES[kind]:
        assert "Tuesday 8 December 2026" in text
        assert "Tuesday 8 December 2026" in html


@pytest.mark.parametrize("kind", sorted(CONSULTATION_SAMPLES))
def test_every_consultation_kind_renders_the_draft_consultation_link_and_contact(
    kind: str, mail_settings: Settings
) -> None:
    message = render(make_notification(kind), mail_settings)

    assert "CS-PR-012 Children missing from care" in message["Subject"]
    text, html = parts(message)
    for body in (text, html):
        assert "Dear Amara Okafor," in body
        assert "version 0.3 of CS-PR-012 Children missing from care" in body.replace("<strong>", "")
        assert CONSULTATION_LINK in body
        assert LINK not in body  # the consultation, not the document
        assert "Priya Shah" in body and "priya.shah@northshire.example" in body
        assert "None" not in body


@pytest.mark.parametrize("kind", ["acknowledgement.requested", "acknowledgement.reminder"])
def test_a_person_asked_to_acknowledge_gets_a_link_signed_when_the_email_is_written(
    kind: str, mail_settings: Settings
) -> None:
    notification = make_notification(kind)
    message = render(notification, mail_settings)
    text, html = parts(message)
    token = acknowledgement_link(mail_settings.keyring, uuid.UUID(ACKNOWLEDGEMENT_ID))
    url = f"http://policygov.example/acknowledgements/respond?token={token}"
    assert url in text and f'href="{url}"' in html
    assert token not in str(notification.context)
    assert "Tuesday 8 December 2026" in message["Subject"]
    assert "Section 4 on return interviews has changed." in text


def test_the_owner_is_told_who_has_not_acknowledged(mail_settings: Settings) -> None:
    message = render(make_notification("acknowledgement.escalated"), mail_settings)
    text, html = parts(message)
    assert message["Subject"].startswith("3 of 12 have not confirmed reading CS-PR-012")
    for body in (text, html):
        assert "Sam Patel (North locality)" in body and "Jo Green" in body
        assert "acknowledgements/respond" not in body
        assert "and 0 more" not in body


def test_an_external_consultee_gets_a_link_signed_when_the_email_is_written(
    mail_settings: Settings,
) -> None:
    consultee_id = uuid.uuid4()
    context = {"is_external": True, "consultee_id": str(consultee_id), "link_version": 3}
    notification = make_notification("consultation.invited", **context)
    text, html = parts(render(notification, mail_settings))
    token = link_token(mail_settings.keyring, consultee_id, 3)
    url = f"http://policygov.example/consultations/respond?token={token}"
    assert url in text and f'href="{url}"' in html
    assert CONSULTATION_LINK not in text + html  # no sign-in for someone without an account
    assert token not in str(notification.context)
    # Another link version signs another token: the one the email was meant for.
    assert link_token(mail_settings.keyring, consultee_id, 2) not in text


def test_a_summary_counts_responses_and_links_to_the_report(mail_settings: Settings) -> None:
    text, html = parts(render(make_notification("consultation.summary"), mail_settings))
    for body in (text, html):
        assert "6 of 8 consultees responded (1 late)" in body
        assert "Taken to agree (no response by the deadline): 2" in body
        assert "Tom Hughes, Kent Police" in body
        assert f"http://policygov.example/consultations/{CONSULTATION_ID}/report" in body
        assert "Tuesday 8 December 2026, 17:00" in body


@pytest.mark.parametrize("kind", sorted(UPDATE_CYCLE_SAMPLES))
def test_every_update_cycle_kind_renders_the_cycle_deadline_link_and_contact(
    kind: str, mail_settings: Settings
) -> None:
    message = render(make_notification(kind), mail_settings)

    text, html = parts(message)
    for body in (text, html):
        assert "Dear Amara Okafor," in body
        assert "Tri.x update June 2026" in body
        assert CYCLE_LINK in body
        assert "Priya Shah" in body and "priya.shah@northshire.example" in body
        assert "None" not in body
        # The matched chapter by its document, the other as the plan names it.
        assert "CS-PR-012 Children missing from care" in body.replace("<strong>", "")
    assert "None" not in message["Subject"]


def test_an_update_cycle_opening_lists_each_amendment_and_the_deadline(
    mail_settings: Settings,
) -> None:
    message = render(make_notification("update_cycle.opened"), mail_settings)
    assert message["Subject"] == (
        "Tri.x update June 2026: 2 recommended amendments to review by Tuesday 8 December 2026"
    )
    text, html = parts(message)
    for body in (text, html):
        assert "Lone working" in body
        assert "Add the new out-of-hours contact arrangements." in body
        assert "carried over" not in body


def test_an_update_cycle_reminder_counts_the_days_left(mail_settings: Settings) -> None:
    message = render(make_notification("update_cycle.reminder"), mail_settings)
    assert "1 recommended amendment still to review, due in 3 days" in message["Subject"]
    tomorrow = render(make_notification("update_cycle.reminder", days_left=1), mail_settings)
    assert "due tomorrow" in tomorrow["Subject"]
    text, _ = parts(tomorrow)
    assert "Lone working" not in text  # only the recipient's pending items


def test_an_update_cycle_report_lists_the_carried_items_and_the_next_cycle(
    mail_settings: Settings,
) -> None:
    message = render(make_notification("update_cycle.closed"), mail_settings)
    assert message["Subject"] == "Update cycle closed: Tri.x update June 2026, 2 carried over"
    text, html = parts(message)
    for body in (text, html):
        assert "Carried over: 2" in body
        assert "Lone working (Tom Hughes)" in body
        assert "Tri.x update June 2026 (carried over)" in body
        assert "Wednesday 20 January 2027" in body
        assert f"http://policygov.example/update-cycles/{CYCLE_ID}" in body
    nothing = render(make_notification("update_cycle.closed", carried=[]), mail_settings)
    assert "nothing was carried over" in parts(nothing)[0]


@pytest.mark.parametrize("kind", sorted(MEETING_SAMPLES))
def test_every_meeting_kind_renders_board_time_meeting_link_and_contact_in_both_parts(
    kind: str, mail_settings: Settings
) -> None:
    message = render(make_notification(kind), mail_settings)

    assert "PPP Group" in message["Subject"]
    text, html = parts(message)
    for body in (text, html):
        assert "Dear Amara Okafor," in body
        assert "PPP Group" in body
        assert MEETING_LINK in body
        assert "Priya Shah" in body and "priya.shah@northshire.example" in body
        assert "None" not in body
    when = "Tuesday 8 December 2026" if kind == "board.attendance_escalated" else "10:00"
    assert when in text and when in html


def test_papers_list_the_agenda_by_section_with_links_to_the_papers(
    mail_settings: Settings,
) -> None:
    text, html = parts(render(make_notification("meeting.papers_circulated"), mail_settings))
    assert text.index("Progress report") < text.index("New proposals and drafts")
    assert "2. CS-PR-012 Children missing from care (version 0.3)" in text
    assert "Paper: http://policygov.example/agenda-items/abc/paper" in text
    assert 'href="http://policygov.example/agenda-items/abc/paper"' in html
    assert text.count("Paper:") == 1  # the progress report has no paper
    assert "after the board's deadline" in text


def test_a_cancellation_says_where_the_items_went_or_that_they_wait(
    mail_settings: Settings,
) -> None:
    moved, _ = parts(render(make_notification("meeting.cancelled"), mail_settings))
    assert "next meeting, on Tuesday 12 January 2027, 10:00" in moved
    waiting, _ = parts(
        render(make_notification("meeting.cancelled", moved_to_starts_at=None), mail_settings)
    )
    assert "no later meeting yet" in waiting


@pytest.mark.parametrize(
    ("kind", "key"),
    [(kind, key) for kind in sorted(EVERY_SAMPLE) for key in EVERY_SAMPLE[kind]],
)
def test_a_missing_context_key_is_a_permanent_failure_naming_the_key(
    kind: str, key: str, mail_settings: Settings
) -> None:
    notification = make_notification(kind)
    del notification.context[key]
    with pytest.raises(PermanentMailError, match=key):
        render(notification, mail_settings)


def test_an_unknown_kind_is_a_permanent_failure(mail_settings: Settings) -> None:
    notification = make_notification()
    notification.kind = "review.forgotten"
    with pytest.raises(PermanentMailError, match=r"review\.forgotten"):
        render(notification, mail_settings)


def test_html_escapes_a_title_and_the_subject_stays_one_line(mail_settings: Settings) -> None:
    notification = make_notification(title="<script>alert(1)</script>\nBcc: x@evil.example")
    message = render(notification, mail_settings)
    text, html = parts(message)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text  # plain text is not HTML
    assert "\n" not in message["Subject"]
    assert message["Bcc"] is None


@pytest.mark.parametrize(
    "title",
    [
        "Safeguarding adults: " + "multi-agency information sharing and escalation " * 4,
        "Évaluation des risques: " + "prise en charge à domicile " * 6,
    ],
    ids=["long ASCII", "long accented"],
)
def test_a_long_subject_and_name_are_folded_within_the_line_limits(
    mail_settings: Settings, title: str
) -> None:
    # RFC 5322: lines of at most 998 characters, 78 recommended; strict relays refuse longer.
    notification = make_notification(title=title, recipient_name="Zoë " + "Ó Súilleabháin " * 5)
    data = compose(notification, mail_settings).data
    assert data.isascii()
    head, _, _ = data.partition(b"\r\n\r\n")
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert all(len(line) <= 78 for line in data.split(b"\r\n"))
    message = render(notification, mail_settings)
    assert " ".join(title.split()) in str(message["Subject"])
    assert str(message["To"]).startswith("Zoë Ó Súilleabháin")
    for body in parts(message):
        assert " ".join(title.split()) in " ".join(body.split())


def test_without_a_contact_people_are_told_to_contact_the_policy_team(
    mail_settings: Settings,
) -> None:
    message = render(make_notification(contact_name=None, contact_email=None), mail_settings)
    for body in parts(message):
        assert "Contact the policy team." in body
        assert "None" not in body


def test_due_soon_says_tomorrow_for_one_day_and_counts_days_otherwise(
    mail_settings: Settings,
) -> None:
    assert "tomorrow" in render(make_notification(days=1), mail_settings)["Subject"]
    assert "in 30 days" in render(make_notification(days=30), mail_settings)["Subject"]


def test_escalation_names_the_responsible_officer_and_owner_or_says_none_named(
    mail_settings: Settings,
) -> None:
    named, _ = parts(render(make_notification("review.escalated"), mail_settings))
    assert "Responsible officer: Tom Hughes" in named
    assert "Owner: Grace Adeyemi" in named
    assert "2 months or more overdue" in named

    unnamed, _ = parts(
        render(
            make_notification(
                "review.escalated", responsible_officer_name=None, owner_name=None, months=1
            ),
            mail_settings,
        )
    )
    assert "Responsible officer: none named" in unnamed
    assert "Owner: none named" in unnamed
    assert "1 month or more overdue" in unnamed


def test_assignment_names_every_role_given(mail_settings: Settings) -> None:
    message = render(
        make_notification("document.assigned", roles=["owner", "responsible officer", "author"]),
        mail_settings,
    )
    assert message["Subject"] == (
        "You are now the owner, responsible officer and author of CS-PR-012 Children missing "
        "from care"
    )
    text, _ = parts(message)
    assert "named as the owner, responsible officer and author of" in text


def test_an_assignment_queued_before_roles_were_listed_still_renders(
    mail_settings: Settings,
) -> None:
    notification = make_notification("document.assigned")
    del notification.context["roles"]
    notification.context["role"] = "author"
    assert render(notification, mail_settings)["Subject"].startswith("You are now the author of")


def test_the_message_id_is_the_notifications_on_every_render(mail_settings: Settings) -> None:
    notification = make_notification()
    first = render(notification, mail_settings)
    second = render(notification, mail_settings)
    assert first["Message-ID"] == second["Message-ID"] == f"<{notification.id}@policygov>"


# --- SMTP ---------------------------------------------------------------------------------------


async def test_a_rendered_message_arrives_with_its_headers_and_both_parts(
    smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, smtp_server.port)
    notification = make_notification()
    backend = backend_for(settings)
    assert isinstance(backend, SmtpBackend)

    await backend.send(compose(notification, settings))

    [received] = smtp_server.handler.received
    assert received.mail_from == "policies@northshire.example"
    assert received.rcpt_tos == ["amara.okafor@northshire.example"]
    assert not received.over_tls
    message = received.message
    assert message["From"] == "policies@northshire.example"
    assert parseaddr(message["To"]) == ("Amara Okafor", "amara.okafor@northshire.example")
    assert message["Subject"] == "Review due in 30 days: CS-PR-012 Children missing from care"
    assert message["Message-ID"] == notification.message_id
    sent_at = email.utils.parsedate_to_datetime(message["Date"])
    assert abs(sent_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "due on Tuesday 8 December 2026, in 30 days" in text
    assert "<strong>Tuesday 8 December 2026</strong>" in html
    assert f'href="{LINK}"' in html


async def test_a_451_is_transient_and_the_retry_arrives_with_the_same_message_id(
    smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, smtp_server.port)
    smtp_server.handler.replies["RCPT"].append("451 4.3.0 try later")
    notification = make_notification()

    with pytest.raises(TransientMailError, match="451") as caught:
        await backend_for(settings).send(compose(notification, settings))
    assert "try later" in str(caught.value)
    assert smtp_server.handler.received == []

    await backend_for(settings).send(compose(notification, settings))
    [received] = smtp_server.handler.received
    assert received.message["Message-ID"] == notification.message_id


async def test_a_550_for_the_recipient_is_permanent(
    smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, smtp_server.port)
    smtp_server.handler.replies["RCPT"].append("550 5.1.1 no such user")

    with pytest.raises(PermanentMailError, match="550") as caught:
        await backend_for(settings).send(compose(make_notification(), settings))
    assert "no such user" in str(caught.value)
    assert "amara.okafor@northshire.example" in str(caught.value)
    assert smtp_server.handler.received == []


async def test_a_5xx_after_data_is_permanent_and_a_4xx_after_data_is_transient(
    smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, smtp_server.port)
    smtp_server.handler.replies["DATA"] += ["554 5.6.0 message refused", "452 4.3.1 disk full"]

    with pytest.raises(PermanentMailError, match="554 on DATA"):
        await backend_for(settings).send(compose(make_notification(), settings))
    with pytest.raises(TransientMailError, match="452 on DATA"):
        await backend_for(settings).send(compose(make_notification(), settings))
    assert smtp_server.handler.received == []


async def test_the_worker_backend_sends_one_message_after_another_on_one_connection(
    smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, smtp_server.port)
    kept = backend_for(settings, keep_open=True)
    for _ in range(3):
        await kept.send(compose(make_notification(), settings))
    await kept.aclose()
    for _ in range(2):
        await backend_for(settings).send(compose(make_notification(), settings))
    peers = [r.peer for r in smtp_server.handler.received]
    assert len(peers) == 5
    assert len(set(peers[:3])) == 1  # kept open
    assert len(set(peers)) == 3  # a backend not kept open connects for each message


async def test_a_connection_the_server_closed_while_idle_is_replaced_and_nothing_is_lost(
    mail_settings: Settings,
) -> None:
    handler = ScriptedHandler()
    controller, server = start_server(handler)
    settings = smtp(mail_settings, server.port)
    kept = backend_for(settings, keep_open=True)
    try:
        await kept.send(compose(make_notification(), settings))
        controller.stop()  # the relay restarts: every open connection is dropped
        controller = Controller(handler, hostname="127.0.0.1", port=server.port)
        controller.start()
        second = make_notification()
        await kept.send(compose(second, settings))
    finally:
        await kept.aclose()
        controller.stop()
    assert [r.message["Message-ID"] for r in handler.received][1] == second.message_id
    assert len({r.peer for r in handler.received}) == 2


async def test_a_connection_that_met_a_refusal_is_not_reused(
    smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, smtp_server.port)
    kept = backend_for(settings, keep_open=True)
    await kept.send(compose(make_notification(), settings))
    smtp_server.handler.replies["RCPT"].append("550 5.1.1 no such user")
    with pytest.raises(PermanentMailError):
        await kept.send(compose(make_notification(), settings))
    await kept.send(compose(make_notification(), settings))
    await kept.aclose()
    first, after = (r.peer for r in smtp_server.handler.received)
    assert first != after


async def test_a_refused_connection_is_transient(mail_settings: Settings) -> None:
    settings = smtp(mail_settings, free_port())  # nothing listens there any more
    with pytest.raises(TransientMailError):
        await backend_for(settings).send(compose(make_notification(), settings))


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never says a word."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.read()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield int(server.sockets[0].getsockname()[1])
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_server_that_never_answers_times_out_as_transient(
    silent_server: int, mail_settings: Settings
) -> None:
    settings = smtp(mail_settings, silent_server, smtp_timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(TransientMailError, match=r"(?i)timeout|timed out"):
        await backend_for(settings).send(compose(make_notification(), settings))
    assert time.monotonic() - started < 5


# --- SMTP over TLS, with AUTH ------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1, which the test trusts through SSL_CERT_FILE."""
    return self_signed(tmp_path_factory.mktemp("tls"), "127.0.0.1", "localhost")


def only_relay_password(
    server: object, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"notifier", b"s3cret")
    # handled=False: aiosmtpd answers a failure with 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@pytest.fixture
def starttls_server(certificate: Certificate) -> Iterator[SmtpServer]:
    controller, server = start_server(
        ScriptedHandler(),
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=only_relay_password,
        auth_require_tls=True,
    )
    yield server
    controller.stop()


async def test_starttls_with_auth_delivers_over_tls_as_the_configured_user(
    starttls_server: SmtpServer,
    certificate: Certificate,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))
    settings = smtp(
        mail_settings,
        starttls_server.port,
        smtp_starttls=True,
        smtp_username="notifier",
        smtp_password="s3cret",
    )
    await backend_for(settings).send(compose(make_notification(), settings))

    [received] = starttls_server.handler.received
    assert received.over_tls
    assert received.login == b"notifier"


async def test_a_wrong_smtp_password_is_transient_so_queued_mail_survives_the_fix(
    starttls_server: SmtpServer,
    certificate: Certificate,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))
    settings = smtp(
        mail_settings,
        starttls_server.port,
        smtp_starttls=True,
        smtp_username="notifier",
        smtp_password="wrong",
    )
    with pytest.raises(TransientMailError, match="535"):
        await backend_for(settings).send(compose(make_notification(), settings))
    assert starttls_server.handler.received == []


async def test_an_untrusted_relay_certificate_is_transient_and_nothing_is_sent(
    starttls_server: SmtpServer, mail_settings: Settings
) -> None:
    settings = smtp(
        mail_settings,
        starttls_server.port,
        smtp_starttls=True,
        smtp_username="notifier",
        smtp_password="s3cret",
    )
    with pytest.raises(TransientMailError, match=r"(?i)certificate"):
        await backend_for(settings).send(compose(make_notification(), settings))
    assert starttls_server.handler.received == []


async def test_implicit_tls_delivers_over_tls(
    certificate: Certificate, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))
    controller, server = start_server(ScriptedHandler(), ssl_context=certificate.server_context())
    try:
        settings = smtp(mail_settings, server.port, smtp_implicit_tls=True)
        await backend_for(settings).send(compose(make_notification(), settings))
    finally:
        controller.stop()
    [received] = server.handler.received
    assert received.over_tls


# --- files ------------------------------------------------------------------------------------


async def test_the_file_backend_writes_one_eml_per_notification_that_parses_back(
    mail_settings: Settings,
) -> None:
    backend = backend_for(mail_settings)
    assert isinstance(backend, FileBackend)
    notification = make_notification()

    await backend.send(compose(notification, mail_settings))

    path = mail_settings.mail_dir / f"{notification.id}.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Message-ID"] == notification.message_id
    assert parsed.get_content_type() == "multipart/alternative"
    text, _ = parts(parsed)
    assert "Tuesday 8 December 2026" in text


async def test_sending_a_notification_again_replaces_its_file(mail_settings: Settings) -> None:
    backend = backend_for(mail_settings)
    notification = make_notification()
    await backend.send(compose(notification, mail_settings))
    notification.context = {**notification.context, "title": "Children missing from home"}

    await backend.send(compose(notification, mail_settings))

    path = mail_settings.mail_dir / f"{notification.id}.eml"
    assert list(mail_settings.mail_dir.iterdir()) == [path]  # no second file, no temp file
    parsed = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert "Children missing from home" in str(parsed["Subject"])
