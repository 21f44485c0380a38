"""Reading everything recorded about one document for its timeline: each table once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.assessments.models import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
    Proposal,
)
from services.domain.boards.models import AgendaItem, Board, Meeting, MeetingDecision
from services.domain.documents.models import Document, DocumentVersion
from services.domain.people.models import Person
from services.domain.publications.models import Publication
from services.domain.routes.models import GovernanceRoute, RouteVersion
from services.domain.sign_off.models import Delegation, SignOff, SignOffDecision, SignOffStage


@dataclass
class TimelineRows:
    """Everything read about one document, each table once."""

    versions: dict[uuid.UUID, DocumentVersion] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    assessments: list[EqualityAssessment] = field(default_factory=list)
    legal_reviews: list[LegalReview] = field(default_factory=list)
    fitness_checks: list[FitnessCheck] = field(default_factory=list)
    statements: list[NoMaterialChangeStatement] = field(default_factory=list)
    items: dict[uuid.UUID, AgendaItem] = field(default_factory=dict)
    meeting_decisions: list[MeetingDecision] = field(default_factory=list)
    sign_offs: dict[uuid.UUID, tuple[SignOff, RouteVersion, GovernanceRoute]] = field(
        default_factory=dict
    )
    stages: dict[uuid.UUID, SignOffStage] = field(default_factory=dict)
    decisions: list[SignOffDecision] = field(default_factory=list)
    delegations: list[Delegation] = field(default_factory=list)
    meetings: dict[uuid.UUID, Meeting] = field(default_factory=dict)
    boards: dict[uuid.UUID, Board] = field(default_factory=dict)
    publications: list[Publication] = field(default_factory=list)
    names: dict[uuid.UUID, str] = field(default_factory=dict)


def _ids(values: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    return {v for v in values if v is not None}


async def load_rows(session: AsyncSession, document: Document) -> TimelineRows:
    rows = TimelineRows()
    org, doc = document.organisation_id, document.id

    async def scalars(query: Any) -> list[Any]:
        return list((await session.execute(query)).scalars())

    for version in await scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc)
        .order_by(DocumentVersion.major, DocumentVersion.minor)
    ):
        rows.versions[version.id] = version
    rows.proposals = await scalars(
        select(Proposal).where(Proposal.organisation_id == org, Proposal.document_id == doc)
    )
    rows.assessments = await scalars(
        select(EqualityAssessment).where(EqualityAssessment.document_id == doc)
    )
    rows.legal_reviews = await scalars(select(LegalReview).where(LegalReview.document_id == doc))
    rows.fitness_checks = await scalars(select(FitnessCheck).where(FitnessCheck.document_id == doc))
    rows.statements = await scalars(
        select(NoMaterialChangeStatement).where(NoMaterialChangeStatement.document_id == doc)
    )
    proposal_items = _ids(p.agenda_item_id for p in rows.proposals)
    item_match = AgendaItem.document_id == doc
    if proposal_items:
        item_match = or_(item_match, AgendaItem.id.in_(proposal_items))
    for item in await scalars(
        select(AgendaItem).where(AgendaItem.organisation_id == org, item_match)
    ):
        rows.items[item.id] = item
    if rows.items:
        rows.meeting_decisions = await scalars(
            select(MeetingDecision).where(
                MeetingDecision.organisation_id == org,
                MeetingDecision.agenda_item_id.in_(rows.items),
            )
        )
    routed = await session.execute(
        select(SignOff, RouteVersion, GovernanceRoute)
        .join(RouteVersion, RouteVersion.id == SignOff.route_version_id)
        .join(GovernanceRoute, GovernanceRoute.id == RouteVersion.route_id)
        .where(SignOff.organisation_id == org, SignOff.document_id == doc)
    )
    for sign_off, route_version, route in routed.all():
        rows.sign_offs[sign_off.id] = (sign_off, route_version, route)
    if rows.sign_offs:
        for stage in await scalars(
            select(SignOffStage).where(
                SignOffStage.organisation_id == org,
                SignOffStage.sign_off_id.in_(rows.sign_offs),
            )
        ):
            rows.stages[stage.id] = stage
        rows.decisions = await scalars(
            select(SignOffDecision).where(
                SignOffDecision.organisation_id == org,
                SignOffDecision.sign_off_id.in_(rows.sign_offs),
            )
        )
    delegators = _ids(d.on_behalf_of_id for d in rows.decisions)
    if delegators:
        rows.delegations = await scalars(
            select(Delegation).where(
                Delegation.organisation_id == org, Delegation.delegator_id.in_(delegators)
            )
        )
    meeting_ids = _ids(
        [i.meeting_id for i in rows.items.values()]
        + [i.requested_meeting_id for i in rows.items.values()]
        + [d.meeting_id for d in rows.meeting_decisions]
        + [d.meeting_id for d in rows.decisions]
    )
    if meeting_ids:
        for meeting in await scalars(
            select(Meeting).where(Meeting.organisation_id == org, Meeting.id.in_(meeting_ids))
        ):
            rows.meetings[meeting.id] = meeting
    board_ids = _ids(
        [m.board_id for m in rows.meetings.values()]
        + [i.board_id for i in rows.items.values()]
        + [p.board_id for p in rows.proposals]
        + [s.board_id for s in rows.stages.values()]
    )
    if board_ids:
        for board in await scalars(
            select(Board).where(Board.organisation_id == org, Board.id.in_(board_ids))
        ):
            rows.boards[board.id] = board
    rows.publications = await scalars(
        select(Publication).where(
            Publication.organisation_id == org, Publication.document_id == doc
        )
    )
    people = _ids(
        [v.uploaded_by_id for v in rows.versions.values()]
        + [p.created_by_id for p in rows.proposals]
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
        + [d.recorded_by_id for d in rows.decisions]
        + [p.completed_by_id for p in rows.publications]
    )
    if people:
        found = await session.execute(
            select(Person.id, Person.name).where(
                Person.organisation_id == org, Person.id.in_(people)
            )
        )
        rows.names = {person_id: name for person_id, name in found.all()}
    return rows
