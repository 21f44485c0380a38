"""What the timeline of one document is built from: the rows ``rows.load_rows`` reads, each
table once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.domain.models.acknowledgements import AcknowledgementRequest
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
from services.domain.models.dis_applications import DisApplication
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.engagement_sessions import EngagementSession
from services.domain.models.governance import GovernanceRoute, RouteVersion
from services.domain.models.launch import CommunicationPlanItem
from services.domain.models.meetings import AgendaItem, Meeting, MeetingDecision
from services.domain.models.monitoring import (
    ImplementationReport,
    MonitoringAction,
    MonitoringEvidence,
)
from services.domain.models.notifications import Notification
from services.domain.models.policy_requests import PolicyRequest
from services.domain.models.publications import Publication
from services.domain.models.review_extensions import ReviewExtension
from services.domain.models.reviews import Review, ReviewDocument, UpdateCycle, UpdateCycleItem
from services.domain.models.sign_off import (
    Delegation,
    SignOff,
    SignOffDecision,
    SignOffInformed,
    SignOffStage,
)


@dataclass
class TimelineRows:
    """Everything read about one document, each table once."""

    document_id: uuid.UUID | None = None
    versions: dict[uuid.UUID, DocumentVersion] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    # Requests to the policy service to change the document.
    requests: list[PolicyRequest] = field(default_factory=list)
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
    informed: list[SignOffInformed] = field(default_factory=list)
    delegations: list[Delegation] = field(default_factory=list)
    meetings: dict[uuid.UUID, Meeting] = field(default_factory=dict)
    boards: dict[uuid.UUID, Board] = field(default_factory=dict)
    publications: list[Publication] = field(default_factory=list)
    consultations: dict[uuid.UUID, Consultation] = field(default_factory=dict)
    consultees: dict[uuid.UUID, Consultee] = field(default_factory=dict)
    responses: list[ConsultationResponse] = field(default_factory=list)
    reviews: dict[uuid.UUID, Review] = field(default_factory=dict)
    # The audit records of the document's reviews (each step, refusals included) and of the
    # paper trail's own exports: the review row keeps only its latest state.
    trail_records: list[AuditRecord] = field(default_factory=list)
    # (row, review, the reviewed document, the document added): documents added to the
    # document's reviews, and the reviews of other documents this one was added to.
    review_documents: list[tuple[ReviewDocument, Review, Document, Document]] = field(
        default_factory=list
    )
    update_items: list[tuple[UpdateCycleItem, UpdateCycle]] = field(default_factory=list)
    dis_applications: list[DisApplication] = field(default_factory=list)
    review_extensions: list[ReviewExtension] = field(default_factory=list)
    # (ask, people asked, people who confirmed) of each ask to read and acknowledge.
    acknowledgement_requests: list[tuple[AcknowledgementRequest, int, int]] = field(
        default_factory=list
    )
    engagement_sessions: list[EngagementSession] = field(default_factory=list)
    monitoring_actions: list[MonitoringAction] = field(default_factory=list)
    monitoring_evidence: list[MonitoringEvidence] = field(default_factory=list)
    implementation_reports: list[ImplementationReport] = field(default_factory=list)
    communication_plan_items: list[CommunicationPlanItem] = field(default_factory=list)
    # Only read when the caller may see them (the policy team).
    notifications: list[Notification] = field(default_factory=list)
    names: dict[uuid.UUID, str] = field(default_factory=dict)
