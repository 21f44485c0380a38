"""Examples of the main request bodies, shown in /docs and handed to generated clients.

One realistic body per schema, from the seed organisations' own routes; services/api/spec.py
puts each on its schema in the OpenAPI document, and a test validates every one against the
schema it illustrates (tests/api/test_openapi_examples.py), so an example cannot drift from
what the service accepts. The ids are placeholders: use ids from your organisation.
"""

from __future__ import annotations

from typing import Any

OWNER = "3f1c2b9e-5d4a-4e0f-9a7b-1c2d3e4f5a6b"
AUTHOR = "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d"
READER = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
DOCUMENT = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
VERSION = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
BOARD = "9c8b7a6f-5e4d-4c3b-a2f1-0e9d8c7b6a5f"

EXAMPLES: dict[str, dict[str, Any]] = {
    "DocumentCreate": {
        "reference": "CSC-PR-014",
        "title": "Allegations against staff and volunteers procedure",
        "summary": "How the LADO is told, and what happens next, when an allegation is made.",
        "kind": "procedure",
        "service_area": "Children's Social Care",
        "category": "Safeguarding",
        "owner_id": OWNER,
        "author_id": AUTHOR,
        "responsible_officer_id": AUTHOR,
        "review_interval_months": 24,
        "tags": ["safeguarding", "lado"],
    },
    "DocumentUpdate": {
        "title": "Allegations against staff, carers and volunteers procedure",
        "responsible_officer_id": READER,
        "tags": ["safeguarding", "lado", "foster carers"],
    },
    "ConsultationCreate": {
        "document_id": DOCUMENT,
        "version_id": VERSION,
        "kind": "internal",
        "title": "Allegations procedure: draft 0.2",
        "description": "Please read section 4 (foster carers) in particular.",
        "audience": {
            "people": [READER],
            "boards": [BOARD],
            "external": [
                {
                    "name": "Local Authority Designated Officer",
                    "email": "lado@example.gov.uk",
                    "represents": "LADO service",
                }
            ],
        },
        "closes_on": "2027-01-29",
    },
    "ResponseBody": {
        "position": "support_with_comments",
        "comments": "Section 4.2 should name the fostering panel adviser as well.",
    },
    "RouteCreate": {
        "key": "procedure",
        "name": "Procedures: RSM approval",
        "description": "NCT 5.1: the Registered Service Manager approves a procedure.",
        "kinds": ["procedure"],
        "definition": {
            "stages": [
                {
                    "key": "rsm",
                    "name": "Registered Service Manager",
                    "decider": {"kind": "document_role", "role": "owner"},
                }
            ],
            "gates": ["consultation_closed"],
            "review_interval_months": 24,
        },
    },
    "SignOffCreate": {
        "document_id": DOCUMENT,
        "version_id": VERSION,
        "effective_on": "2027-02-01",
    },
    "SignOffDecisionCreate": {
        "version_id": VERSION,
        "outcome": "approved_with_conditions",
        "reasons": "Approved subject to the flowchart being updated.",
        "conditions": ["Update the flowchart in appendix A to show the LADO referral."],
    },
    "BoardCreate": {
        "name": "Policy, Procedures and Practice Group",
        "purpose": "Agrees children's services policies and procedures before issue.",
        "schedule_rule": "FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11",
        "schedule_starts_on": "2027-01-01",
        "meeting_start_time": "10:00",
        "meeting_duration_minutes": 120,
        "default_location": "County Hall, Committee Room 2",
        "quorum": 4,
    },
    "MeetingCreate": {
        "board_id": BOARD,
        "starts_at": "2027-01-12T10:00:00Z",
        "ends_at": "2027-01-12T12:00:00Z",
        "location": "County Hall, Committee Room 2",
    },
    "ReviewCreate": {
        "document_id": DOCUMENT,
        "kind": "unscheduled",
        "trigger": "legislation_or_guidance_change",
        "trigger_detail": "Working Together to Safeguard Children 2026 changes chapter 2.",
    },
    "ProposalCreate": {
        "title": "A new kinship care policy",
        "background": "Kinship carers asked for one place that sets out the support offered.",
        "objectives": "Set out the financial and practical support for kinship carers.",
        "sponsor_id": OWNER,
        "lead_officer_id": AUTHOR,
    },
    # Birmingham: "All requests for support with developing or refreshing policies ... should
    # be emailed to the Policy Service within the Practice Hub".
    "PolicyRequestCreate": {
        "kind": "change",
        "document_id": DOCUMENT,
        "title": "Reflect the new timescales for strategy discussions",
        "details": "Working Together changed the timescales; the procedure still has the old ones.",
        "service_area": "Children in Need",
        "urgency": "urgent",
        "wanted_by": "2027-03-31",
    },
    "PolicyRequestAcceptance": {
        "into": "review",
        "trigger": "legislation_or_guidance_change",
        "note": "Accepted into an early review of the procedure.",
    },
    "PolicyRequestDecline": {
        "reasons": "PROC-014 already covers return interviews: see section 4.",
    },
    "WebhookCreate": {
        "url": "https://intranet.example.gov.uk/hooks/policygov",
        "description": "The intranet's policy pages",
        "event_types": ["document.version_added", "sign_off.closed", "publication.queued"],
    },
    "PersonCreate": {
        "name": "Priya Shah",
        "email": "priya.shah@example.gov.uk",
        "job_title": "Registered Service Manager, Fostering",
        "service_area": "Fostering",
        "roles": ["approver"],
    },
    "ApiKeyCreate": {"name": "Tri.x upload script", "role": "integration"},
    "Uploaded": {"trix_url": "https://example.trixonline.co.uk/chapter/allegations"},
}


def add_examples(schema: dict[str, Any]) -> None:
    """Put each example on its component schema (OpenAPI 3.1: JSON Schema `examples`)."""
    components = schema.get("components", {}).get("schemas", {})
    for name, example in EXAMPLES.items():
        components[name]["examples"] = [example]
