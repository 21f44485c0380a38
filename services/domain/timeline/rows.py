"""Reading everything recorded about one document for its timeline: each table once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.models.assessments import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
    Proposal,
)
from services.domain.models.audit import AuditRecord
from services.domain.models.boards import Board
from services.domain.models.consultations import Consultation, ConsultationResponse, Consultee
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.governance import GovernanceRoute, RouteVersion
from services.domain.models.meetings import AgendaItem, Meeting, MeetingDecision
from services.domain.models.notifications import Notification
from services.domain.models.people import Person
from services.domain.models.policy_requests import PolicyRequest
from services.domain.models.publications import Publication
from services.domain.models.reviews import Review, ReviewDocument, UpdateCycle, UpdateCycleItem
from services.domain.models.sign_off import (
    Delegation,
    SignOff,
    SignOffDecision,
    SignOffInformed,
    SignOffStage,
)
from services.domain.timeline.monitoring import load_monitoring
from services.domain.timeline.records import TimelineRows
from services.domain.timeline.staff_rows import load_staff_side


def _ids(values: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    return {v for v in values if v is not None}


# Audit actions about the document itself that the timeline shows.
DOCUMENT_ACTIONS = ("document.paper_trail_exported",)


async def load_rows(
    session: AsyncSession, document: Document, *, with_notifications: bool = False
) -> TimelineRows:
    """Everything about ``document``, a fixed number of queries however long its history."""
    rows = TimelineRows(document_id=document.id)
    org, doc = document.organisation_id, document.id
    await _load_drafts(session, rows, org, doc)
    await _load_board_items(session, rows, org, doc)
    await _load_sign_offs(session, rows, org, doc)
    await _load_consultations(session, rows, org, doc)
    await _load_reviews(session, rows, org, doc)
    if with_notifications:
        rows.notifications = await _scalars(
            session,
            select(Notification)
            .where(Notification.organisation_id == org, Notification.document_id == doc)
            .order_by(Notification.created_at, Notification.id),
        )
    await _load_meetings_and_boards(session, rows, org)
    rows.publications = await _scalars(
        session,
        select(Publication).where(
            Publication.organisation_id == org, Publication.document_id == doc
        ),
    )
    await load_staff_side(session, rows, org, doc)
    await _load_names(session, rows, org)
    # After the names: it adds its own people (services/domain/timeline/monitoring.py).
    await load_monitoring(session, rows, org, doc)
    return rows


async def _scalars(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def _load_drafts(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    """The versions, the proposal, the requests to the policy service to change the document
    and the assessments of the drafts: seven queries."""
    for version in await _scalars(
        session,
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc)
        .order_by(DocumentVersion.major, DocumentVersion.minor),
    ):
        rows.versions[version.id] = version
    rows.proposals = await _scalars(
        session,
        select(Proposal).where(Proposal.organisation_id == org, Proposal.document_id == doc),
    )
    rows.assessments = await _scalars(
        session, select(EqualityAssessment).where(EqualityAssessment.document_id == doc)
    )
    rows.legal_reviews = await _scalars(
        session, select(LegalReview).where(LegalReview.document_id == doc)
    )
    rows.fitness_checks = await _scalars(
        session, select(FitnessCheck).where(FitnessCheck.document_id == doc)
    )
    rows.statements = await _scalars(
        session,
        select(NoMaterialChangeStatement).where(NoMaterialChangeStatement.document_id == doc),
    )
    rows.requests = await _scalars(
        session,
        select(PolicyRequest).where(
            PolicyRequest.organisation_id == org, PolicyRequest.document_id == doc
        ),
    )


async def _load_board_items(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    """The agenda items of the document and of its proposals, and the boards' decisions on
    them: two queries at most."""
    proposal_items = _ids(p.agenda_item_id for p in rows.proposals)
    item_match = AgendaItem.document_id == doc
    if proposal_items:
        item_match = or_(item_match, AgendaItem.id.in_(proposal_items))
    for item in await _scalars(
        session, select(AgendaItem).where(AgendaItem.organisation_id == org, item_match)
    ):
        rows.items[item.id] = item
    if rows.items:
        rows.meeting_decisions = await _scalars(
            session,
            select(MeetingDecision).where(
                MeetingDecision.organisation_id == org,
                MeetingDecision.agenda_item_id.in_(rows.items),
            ),
        )


async def _load_sign_offs(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    """The sign-offs with their routes, their stages and decisions, and the delegations the
    decisions were taken under and who was informed: five queries at most."""
    routed = await session.execute(
        select(SignOff, RouteVersion, GovernanceRoute)
        .join(RouteVersion, RouteVersion.id == SignOff.route_version_id)
        .join(GovernanceRoute, GovernanceRoute.id == RouteVersion.route_id)
        .where(SignOff.organisation_id == org, SignOff.document_id == doc)
    )
    for sign_off, route_version, route in routed.all():
        rows.sign_offs[sign_off.id] = (sign_off, route_version, route)
    if rows.sign_offs:
        for stage in await _scalars(
            session,
            select(SignOffStage).where(
                SignOffStage.organisation_id == org,
                SignOffStage.sign_off_id.in_(rows.sign_offs),
            ),
        ):
            rows.stages[stage.id] = stage
        rows.decisions = await _scalars(
            session,
            select(SignOffDecision).where(
                SignOffDecision.organisation_id == org,
                SignOffDecision.sign_off_id.in_(rows.sign_offs),
            ),
        )
        rows.informed = await _scalars(
            session,
            select(SignOffInformed).where(
                SignOffInformed.organisation_id == org,
                SignOffInformed.sign_off_id.in_(rows.sign_offs),
            ),
        )
    delegators = _ids(d.on_behalf_of_id for d in rows.decisions)
    if delegators:
        rows.delegations = await _scalars(
            session,
            select(Delegation).where(
                Delegation.organisation_id == org, Delegation.delegator_id.in_(delegators)
            ),
        )


async def _load_meetings_and_boards(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID
) -> None:
    """The meetings and boards the rows read so far name: two queries at most."""
    meeting_ids = _ids(
        [c.meeting_id for c in rows.consultations.values()]
        + [i.meeting_id for i in rows.items.values()]
        + [i.requested_meeting_id for i in rows.items.values()]
        + [d.meeting_id for d in rows.meeting_decisions]
        + [d.meeting_id for d in rows.decisions]
    )
    if meeting_ids:
        for meeting in await _scalars(
            session,
            select(Meeting).where(Meeting.organisation_id == org, Meeting.id.in_(meeting_ids)),
        ):
            rows.meetings[meeting.id] = meeting
    board_ids = _ids(
        [m.board_id for m in rows.meetings.values()]
        + [i.board_id for i in rows.items.values()]
        + [p.board_id for p in rows.proposals]
        + [s.board_id for s in rows.stages.values()]
        + [c.via_board_id for c in rows.consultees.values()]
    )
    if board_ids:
        for board in await _scalars(
            session, select(Board).where(Board.organisation_id == org, Board.id.in_(board_ids))
        ):
            rows.boards[board.id] = board


async def _load_names(session: AsyncSession, rows: TimelineRows, org: uuid.UUID) -> None:
    """The names of everyone the rows name, in one query."""
    people = _ids(
        [v.uploaded_by_id for v in rows.versions.values()]
        + [p.created_by_id for p in rows.proposals]
        + [r.requested_by_id for r in rows.requests]
        + [r.triaged_by_id for r in rows.requests]
        + [a.assessor_id for a in rows.assessments]
        + [r.requested_by_id for r in rows.legal_reviews]
        + [r.reviewer_id for r in rows.legal_reviews]
        + [r.answered_by_id for r in rows.legal_reviews]
        + [c.checked_by_id for c in rows.fitness_checks]
        + [s.stated_by_id for s in rows.statements]
        + [i.submitted_by_id for i in rows.items.values()]
        + [d.decided_by_id for d in rows.meeting_decisions]
        + [d.recorded_by_id for d in rows.meeting_decisions]
        + [s[0].submitted_by_id for s in rows.sign_offs.values()]
        + [d.decided_by_id for d in rows.decisions]
        + [d.on_behalf_of_id for d in rows.decisions]
        + [d.discussed_with_id for d in rows.decisions]
        + [d.recorded_by_id for d in rows.decisions]
        + [i.person_id for i in rows.informed]
        + [p.completed_by_id for p in rows.publications]
        + [c.opened_by_id for c in rows.consultations.values()]
        + [c.closed_by_id for c in rows.consultations.values()]
        + [c.person_id for c in rows.consultees.values()]
        + [r.recorded_by_id for r in rows.responses]
        + [r.requested_by_id for r in rows.reviews.values()]
        + [a.actor_person_id for a in rows.trail_records]
        + [row.added_by_id for row, _, _, _ in rows.review_documents]
        + [i.assigned_to_id for i, _ in rows.update_items]
        + [i.decided_by_id for i, _ in rows.update_items]
        + [c.created_by_id for _, c in rows.update_items]
        + [n.recipient_person_id for n in rows.notifications]
        + [d.requested_by_id for d in rows.dis_applications]
        + [d.discussed_with_id for d in rows.dis_applications]
        + [d.decided_by_id for d in rows.dis_applications]
        + [d.ended_by_id for d in rows.dis_applications]
        + [e.requested_by_id for e in rows.review_extensions]
        + [e.decided_by_id for e in rows.review_extensions]
        + [e.ended_by_id for e in rows.review_extensions]
        + [r.asked_by_id for r, _, _ in rows.acknowledgement_requests]
        + [r.ended_by_id for r, _, _ in rows.acknowledgement_requests]
        + [s.recorded_by_id for s in rows.engagement_sessions]
        + [s.facilitator_id for s in rows.engagement_sessions]
        + [i.created_by_id for i in rows.communication_plan_items]
        + [i.owner_id for i in rows.communication_plan_items]
        + [i.sent_by_id for i in rows.communication_plan_items]
    )
    if people:
        found = await session.execute(
            select(Person.id, Person.name).where(
                Person.organisation_id == org, Person.id.in_(people)
            )
        )
        rows.names = {person_id: name for person_id, name in found.all()}


async def _load_consultations(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    """The document's consultations, their consultees and responses: three queries."""
    found = await session.execute(
        select(Consultation)
        .where(Consultation.organisation_id == org, Consultation.document_id == doc)
        .order_by(Consultation.created_at, Consultation.id)
    )
    rows.consultations = {c.id: c for c in found.scalars()}
    if not rows.consultations:
        return
    consultees = await session.execute(
        select(Consultee)
        .where(
            Consultee.organisation_id == org,
            Consultee.consultation_id.in_(rows.consultations),
        )
        .order_by(Consultee.added_at, Consultee.name, Consultee.id)
    )
    rows.consultees = {c.id: c for c in consultees.scalars()}
    responses = await session.execute(
        select(ConsultationResponse)
        .where(
            ConsultationResponse.organisation_id == org,
            ConsultationResponse.consultation_id.in_(rows.consultations),
        )
        .order_by(ConsultationResponse.submitted_at, ConsultationResponse.id)
    )
    rows.responses = list(responses.scalars())


async def _load_reviews(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    """Reviews with each of their steps, the documents added to them, and Update Plan items:
    four queries."""
    found = await session.execute(
        select(Review)
        .where(Review.organisation_id == org, Review.document_id == doc)
        .order_by(Review.created_at, Review.id)
    )
    rows.reviews = {r.id: r for r in found.scalars()}
    reviews_of_document = select(Review.id).where(
        Review.organisation_id == org, Review.document_id == doc
    )
    records = await session.execute(
        select(AuditRecord)
        .where(
            AuditRecord.organisation_id == org,
            or_(
                and_(
                    AuditRecord.entity_type == "review",
                    AuditRecord.entity_id.in_(reviews_of_document),
                ),
                and_(
                    AuditRecord.entity_type == "document",
                    AuditRecord.entity_id == doc,
                    AuditRecord.action.in_(DOCUMENT_ACTIONS),
                ),
            ),
        )
        .order_by(AuditRecord.seq)
    )
    rows.trail_records = list(records.scalars())
    reviewed, added = aliased(Document), aliased(Document)
    linked = await session.execute(
        select(ReviewDocument, Review, reviewed, added)
        .join(Review, Review.id == ReviewDocument.review_id)
        .join(reviewed, reviewed.id == Review.document_id)
        .join(added, added.id == ReviewDocument.document_id)
        .where(
            ReviewDocument.organisation_id == org,
            or_(Review.document_id == doc, ReviewDocument.document_id == doc),
        )
        .order_by(ReviewDocument.added_at, ReviewDocument.id)
    )
    rows.review_documents = [(r[0], r[1], r[2], r[3]) for r in linked.all()]
    items = await session.execute(
        select(UpdateCycleItem, UpdateCycle)
        .join(UpdateCycle, UpdateCycle.id == UpdateCycleItem.cycle_id)
        .where(UpdateCycleItem.organisation_id == org, UpdateCycleItem.document_id == doc)
        .order_by(UpdateCycleItem.created_at, UpdateCycleItem.id)
    )
    rows.update_items = [(r[0], r[1]) for r in items.all()]
