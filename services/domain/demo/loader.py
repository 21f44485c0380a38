"""Loads the five seed organisations (demo/organisations.json, demo/routes/<slug>.json); running
it twice changes nothing."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, time
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.boards import schedule
from services.domain.boards import service as boards
from services.domain.boards.commands import NewBoard, NewMember, SeatRule
from services.domain.calendar.working_days import Offset
from services.domain.clock import utcnow
from services.domain.consultations import opening
from services.domain.consultations.commands import Audience, External, NewConsultation, Question
from services.domain.demo import governance
from services.domain.demo.acknowledgements import seed_acknowledgements
from services.domain.demo.cascades import seed_cascades
from services.domain.demo.dis_applications import seed_dis_applications
from services.domain.demo.documents import seed_documents, seed_links
from services.domain.demo.engagement import seed_engagement_sessions
from services.domain.demo.ladders import seed_ladder
from services.domain.demo.launch import seed_launch
from services.domain.demo.monitoring import seed_monitoring_actions
from services.domain.demo.requests import seed_requests
from services.domain.demo.review_extensions import seed_review_extensions
from services.domain.demo.statutory_sources import seed_statutory_sources
from services.domain.demo.summaries import seed_summary
from services.domain.demo.templates import seed_templates
from services.domain.demo.update_cycles import seed_update_cycles
from services.domain.documents import versions
from services.domain.models.boards import Board
from services.domain.models.consultations import Consultation
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.meetings import Meeting, MeetingStatus
from services.domain.organisations import service as organisations
from services.domain.organisations.words import OrganisationWords
from services.domain.people import service as people
from services.domain.settings import Settings

# Demo consultations remind those who have not responded as a default deployment would.
REMINDER_DAYS: list[int] = Settings.model_fields["consultation_reminder_days"].get_default(
    call_default_factory=True
)


def load_data() -> dict[str, Any]:
    text = (
        resources.files("services.domain.demo")
        .joinpath("organisations.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def load_routes(slug: str) -> dict[str, Any] | None:
    """An organisation's posts and governance routes (demo/routes/<slug>.json), if it has any."""
    found = resources.files("services.domain.demo").joinpath("routes").joinpath(f"{slug}.json")
    if not found.is_file():
        return None
    data: dict[str, Any] = json.loads(found.read_text(encoding="utf-8"))
    return data


# What seeding an organisation counts, in the order it reports them.
COUNTED = (
    "organisations",
    "people",
    "documents",
    "links",
    "boards",
    "posts",
    "routes",
    "consultations",
    "requests",
    "dis_applications",
    "review_extensions",
    "engagement_sessions",
    "acknowledgements",
    "monitoring_actions",
    "communication_plan_items",
    "digest_subscriptions",
    "templates",
    "cascade_flags",
    "update_cycles",
    "statutory_sources",
    "statutory_source_links",
    "escalation_ladders",
    "leavers",
    "consultation_summaries",
)


@dataclass
class SeedReport:
    created: dict[str, dict[str, int]] = field(default_factory=dict)


async def seed_organisation(session: AsyncSession, spec: dict[str, Any]) -> dict[str, int]:
    """Create what is missing of one organisation; returns counts of what was created.

    Long because it seeds each part of the organisation in turn, in the order they depend on."""
    counts = dict.fromkeys(COUNTED, 0)
    org = await organisations.find_by_slug(session, spec["slug"])
    if org is None:
        org = await organisations.create_organisation(session, slug=spec["slug"], name=spec["name"])
        counts["organisations"] = 1
    system = Principal.system(org.id, "seed-demo")
    by_email, counts["people"] = await _seed_people(session, system, org.id, spec["people"])
    contact = spec.get("escalation_contact_email")
    if contact and org.escalation_contact_id is None:
        org.escalation_contact_id = by_email[contact]
    if spec.get("words") and not org.words:
        # The seed's own titles and citations (NCT's RSM, Dorset's Head of QA, Cafcass appendices).
        org.words = OrganisationWords.model_validate(spec["words"]).model_dump(
            exclude_defaults=True
        )
    by_reference, counts["documents"] = await seed_documents(
        session, system, org.id, spec["documents"], by_email
    )
    counts["links"] = await seed_links(session, system, spec.get("links", []), by_reference)
    counts["dis_applications"] = await seed_dis_applications(
        session, org.id, spec.get("dis_applications", []), by_reference, by_email
    )
    # NCT: the tracker's "Next Review To Be Completed By", moved by agreement.
    counts["review_extensions"] = await seed_review_extensions(
        session, org.id, spec.get("review_extensions", []), by_reference, by_email
    )
    counts["engagement_sessions"] = await seed_engagement_sessions(
        session, org.id, spec.get("engagement_sessions", []), by_reference, by_email
    )
    # Dorset aim v: the templates of kinds of document, with the headings their drafts keep.
    counts["templates"] = await seed_templates(session, org.id, spec.get("templates", []))
    counts["monitoring_actions"] = await seed_monitoring_actions(
        session, org.id, spec.get("monitoring_actions", []), by_reference, by_email
    )
    for spec_board in spec.get("boards", []):
        counts["boards"] += await _seed_board(session, system, spec_board, by_email)
    # LBBD 10, Birmingham 11, Cafcass 7.1, Dorset 5.2: plans, digest and its subscribers.
    counts["communication_plan_items"], counts["digest_subscriptions"] = await seed_launch(
        session, org, by_reference, by_email
    )
    route_spec = load_routes(spec["slug"])
    if route_spec is not None:
        counts["posts"], counts["routes"] = await governance.seed_routes(
            session, system, spec["slug"], route_spec, by_email
        )
    # Last: a consultation needs the boards (its audience and meeting) and the routes (whether
    # silence counts as agreement).
    for d in spec["documents"]:
        if d.get("consultation"):
            counts["consultations"] += await _seed_consultation(
                session, system, by_reference[d["reference"]], d["consultation"], by_email
            )
    # NCT 3.2: the Acts and statutory guidance the documents depend on, linked to them.
    counts["statutory_sources"], counts["statutory_source_links"] = await seed_statutory_sources(
        session, org, by_reference
    )
    counts["requests"] = await seed_requests(
        session, org.id, spec.get("requests", []), by_email, by_reference
    )
    # NCT 3.4 a: a Trix update cycle, after the documents whose chapters its items name.
    counts["update_cycles"] = await seed_update_cycles(
        session, org.id, spec.get("update_cycles", []), by_email
    )
    # After the boards and their meetings: an audience may name a board (Dorset 7.4: papers).
    counts["acknowledgements"] = await seed_acknowledgements(
        session, org.id, spec["slug"], by_reference, by_email
    )
    cascades = spec.get("cascades", [])  # LBBD: an amended policy reviews its procedure
    counts["cascade_flags"] = await seed_cascades(session, system, cascades, by_reference)
    # After the boards: a rung may name one.
    counts |= await seed_ladder(session, org, spec.get("escalation_ladder"), by_email)
    # Near the end: a consultation closed, its document issued and "You said, we did" sent (BCT).
    counts["consultation_summaries"] = await seed_summary(session, org, by_reference, by_email)
    # Issue 20: a leaver still named on documents (NCT); last, as a leaver is named on nothing.
    counts["leavers"] = await _seed_leavers(session, system, spec["people"], by_email)
    return counts


async def _seed_leavers(
    session: AsyncSession,
    system: Principal,
    listed: list[dict[str, Any]],
    by_email: dict[str, Any],
) -> int:
    """Mark the people the data file says have left as no longer active (once): the policy
    team is told what they hold, as when the directory deactivates someone."""
    person_ids = [by_email[p["email"]] for p in listed if p.get("is_active") is False]
    if not person_ids:
        return 0
    found = [await people.get_person(session, system, person_id) for person_id in person_ids]
    return len(await people.mark_left(session, system, found, source="directory"))


async def _seed_people(
    session: AsyncSession,
    system: Principal,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
) -> tuple[dict[str, Any], int]:
    """The people of the data file, by email, with how many were created."""
    created = 0
    by_email = {}
    for p in listed:
        person = await people.find_by_email(session, organisation_id, p["email"])
        if person is None:
            person = await people.create_person(
                session,
                system,
                organisation_id=organisation_id,
                name=p["name"],
                email=p["email"],
                job_title=p.get("job_title"),
                service_area=p.get("service_area"),
                roles=p.get("roles", ["reader"]),
            )
            created += 1
        by_email[p["email"]] = person.id
    return by_email, created


async def _seed_consultation(
    session: AsyncSession,
    system: Principal,
    document: Document,
    spec: dict[str, Any],
    by_email: dict[str, Any],
) -> int:
    """An open consultation on the latest draft of a document in consultation; returns 1 if made.

    ``spec`` is ``{"kind", "description", "board_names", "people_emails", "external",
    "questions"}``, and for a pre-meeting circulation ``"meeting_of"``: the board whose next
    meeting it is for, the first whose deadline for responses is still ahead (Birmingham:
    responses three days before it, by the board's ``consultation_responses`` rule). With no
    such meeting it becomes an internal consultation of the same audience, closing in 10
    working days. It opens now, not at the board's opening date: the document is already in
    consultation. A document with any consultation, or no longer in consultation, is left.
    """
    if document.status != DocumentStatus.IN_CONSULTATION:
        return 0
    found = await session.execute(
        select(Consultation.id).where(Consultation.document_id == document.id).limit(1)
    )
    if found.first() is not None:
        return 0
    version = await versions.latest_version(session, document.id)
    if version is None or version.is_issued:
        raise ValueError(f"demo document {document.reference} is in consultation with no draft")
    boards_by_name = {
        board.name: board
        for board in (
            await session.execute(
                select(Board).where(Board.organisation_id == document.organisation_id)
            )
        ).scalars()
    }
    kind, meeting = spec["kind"], None
    if kind == "pre_meeting":
        meeting = await _next_meeting(session, boards_by_name[spec["meeting_of"]])
        if meeting is None:
            kind = "internal"
    command = NewConsultation(
        document_id=document.id,
        version_id=version.id,
        kind=kind,
        audience=Audience(
            people=[by_email[email] for email in spec.get("people_emails", [])],
            boards=[boards_by_name[name].id for name in spec.get("board_names", [])],
            external=[External(**external) for external in spec.get("external", [])],
        ),
        description=spec.get("description", ""),
        questions=[Question.of(question) for question in spec.get("questions", [])],
        meeting_id=meeting.id if meeting else None,
        opens_at=utcnow(),
    )
    await opening.open_consultation(session, system, command, default_reminder_days=REMINDER_DAYS)
    return 1


async def _next_meeting(session: AsyncSession, board: Board) -> Meeting | None:
    """The board's next scheduled meeting whose deadline for consultation responses is ahead."""
    now = utcnow()
    upcoming = list(
        (
            await session.execute(
                select(Meeting)
                .where(
                    Meeting.board_id == board.id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.starts_at > now,
                )
                .order_by(Meeting.starts_at)
                .limit(3)
            )
        ).scalars()
    )
    for meeting in upcoming:
        closes, _ = await opening.closing_time(
            session,
            organisation_id=board.organisation_id,
            kind="pre_meeting",
            opens_at=now,
            closes_at=None,
            closes_on=None,
            rule=None,
            meeting=(meeting, board),
        )
        if closes > now:
            return meeting
    return None


async def _seed_board(
    session: AsyncSession, system: Principal, spec: dict[str, Any], by_email: dict[str, Any]
) -> int:
    """A board with its members and schedule, and the next 12 months of meetings."""
    existing = await session.execute(
        select(Board.id).where(
            Board.organisation_id == system.organisation_id, Board.name == spec["name"]
        )
    )
    if existing.first() is not None:
        return 0
    hour, minute = (int(part) for part in spec.get("meeting_start_time", "10:00").split(":"))
    board = await boards.create_board(
        session,
        system,
        NewBoard(
            name=spec["name"],
            purpose=spec.get("purpose", ""),
            schedule_rule=spec.get("schedule_rule"),
            schedule_starts_on=date(2026, 1, 1) if spec.get("schedule_rule") else None,
            meeting_start_time=time(hour, minute),
            deadline_rules={
                name: Offset(**rule) for name, rule in spec.get("deadline_rules", {}).items()
            },
            seat_rules=[SeatRule(**rule) for rule in spec.get("seat_rules", [])],
            escalation_person_id=by_email.get(spec.get("escalation_email") or ""),
            members=[
                NewMember(person_id=by_email[email], role=role, seat=seat[0] if seat else None)
                for email, role, *seat in spec.get("members", [])
            ],
        ),
    )
    if board.schedule_rule:
        await schedule.reschedule(session, system, board)
    return 1
