"""The tags that group operations in the spec, in the order the docs show them.

A tag is named like the paths it groups (`sign-off`, `update-cycles`) and is the first half of
each operationId (`sign_off_get_sign_off`), so generated clients group methods the same way.
"""

from __future__ import annotations

from typing import Any

TAGS: list[dict[str, Any]] = [
    {"name": "system", "description": "Health checks and the caller's own organisation."},
    {
        "name": "problems",
        "description": "The problem types errors name in `type`, each a page at its own URI.",
    },
    {
        "name": "documents",
        "description": "The register: documents, their versions, files, links, timeline and "
        "paper trail.",
    },
    {"name": "document-kinds", "description": "The kinds of document an organisation keeps."},
    {"name": "people", "description": "People of the organisation and the roles they hold."},
    {"name": "api-keys", "description": "API keys: one per caller, with a role; revocable."},
    {"name": "audit", "description": "The audit trail and the check of its hash chain."},
    {"name": "notifications", "description": "What the service has told the caller."},
    {
        "name": "webhooks",
        "description": "Subscriptions to events, signed per Standard Webhooks, and their "
        "deliveries.",
    },
    {"name": "boards", "description": "Governance boards, their members and forward plans."},
    {"name": "meetings", "description": "Board meetings: agenda, attendance, decisions, minutes."},
    {"name": "agenda", "description": "Items submitted to a meeting's agenda, and their papers."},
    {
        "name": "calendar",
        "description": "iCalendar feeds of a board's meetings; the signed address is the "
        "credential.",
    },
    {"name": "routes", "description": "Sign-off routes (who decides, in which order) and posts."},
    {
        "name": "sign-off",
        "description": "Sign-off of a version through its route's stages; delegations.",
    },
    {
        "name": "policy-requests",
        "description": "Requests to the policy service for a new document or a change, and "
        "their triage.",
    },
    {"name": "proposals", "description": "Proposals for a new document or a change."},
    {"name": "equality-assessments", "description": "Equality impact assessments."},
    {"name": "legal-reviews", "description": "Questions put to a lawyer about a version."},
    {"name": "fitness-checks", "description": "Checks that a document is fit for purpose."},
    {
        "name": "no-material-change-statements",
        "description": "Statements that a review found nothing material to change.",
    },
    {"name": "publications", "description": "The queue of issued versions to publish (Tri.x)."},
    {
        "name": "consultations",
        "description": "Consultations on a draft: consultees, responses and the report.",
    },
    {
        "name": "consultation-links",
        "description": "An external consultee's signed link: read the draft, respond.",
    },
    {"name": "reviews", "description": "Scheduled and early reviews of documents."},
    {
        "name": "review-extensions",
        "description": "Requests to move a review date: asked by the RO, agreed or refused by "
        "the owner or the policy team, within the organisation's limits.",
    },
    {
        "name": "statutory-sources",
        "description": "Acts, statutory guidance and inspection frameworks documents depend on: "
        "a change (recorded, or read from the source's Atom feed) opens a review of every "
        "linked document, with an impact report.",
    },
    {
        "name": "acknowledgements",
        "description": "Read and acknowledge: a document's audience, asking people to confirm "
        "they have read a version, confirming, reminders and escalation, compliance per "
        "document and team; board members reading a meeting's papers (Dorset 7.4).",
    },
    {
        "name": "acknowledgement-links",
        "description": "A person's signed link from their email: read the version, confirm.",
    },
    {
        "name": "engagement-sessions",
        "description": "Workshops, co-production and review sessions on a document (LBBD 4, "
        "NCT 4.1): attendees, notes and actions, linked to the draft they shaped.",
    },
    {
        "name": "dis-applications",
        "description": "Parts of documents in force set aside for a team or area, decided by "
        "whom the organisation names (Cafcass 6.1); the register of those in force.",
    },
    {
        "name": "monitoring",
        "description": "Implementation monitoring (Cafcass 7.4, Dorset xi): actions on a document "
        "in force with an owner, a due date, evidence and an outcome; reminders and escalation.",
    },
    {
        "name": "implementation-reports",
        "description": "How documents in force are implemented: actions, acknowledgement uptake, "
        "dis-applications, open requests; as JSON, CSV and HTML; tabled to a board as a paper.",
    },
    {
        "name": "communication-plans",
        "description": "How each issue is cascaded (LBBD 10, Cafcass 4.15 and 7.1): audiences, "
        "channels, dates, and whether each went.",
    },
    {
        "name": "news",
        "description": "What was issued, changed or retired (Birmingham 11, Dorset 5.2): the "
        "list, the digest and its subscriptions, and the Atom feed for intranets and Tri.x news.",
    },
    {
        "name": "tracker",
        "description": "The review tracker: what is due, exports and people's deadline feeds.",
    },
    {"name": "update-cycles", "description": "Planned cycles of updates across many documents."},
    {
        "name": "amendment-packs",
        "description": "Tri.x amendment packs: an update cycle's or a month's issued changes, "
        "redlined by section, as HTML or Word.",
    },
    {"name": "imports", "description": "Import of an existing tracker spreadsheet."},
    {
        "name": "handover",
        "description": "Orphaned owners: what a person holds, moving it to someone else when "
        "they leave, the staff list that marks leavers, and the documents with no active owner.",
    },
]
