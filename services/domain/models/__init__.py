"""The tables: every model, one module per part of the register or workflow.

The records floor. A model module imports only the kernel (db, clock) and other model modules,
so the authority policy, the register and every workflow can read any table without importing
the package that changes it. Importing this package loads them all, so `Base.metadata` is
complete (Alembic and tests use this).
"""

from services.domain.db import Base
from services.domain.models.access import ApiKey
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementAudience,
    AcknowledgementRequest,
    PapersRead,
)
from services.domain.models.assessments import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
    Proposal,
)
from services.domain.models.audit import AuditChainHead, AuditRecord
from services.domain.models.boards import Board, BoardMember
from services.domain.models.cascades import CascadeFlag, CascadeRule
from services.domain.models.consultation_summaries import ConsultationSummary
from services.domain.models.consultations import (
    Consultation,
    ConsultationReportAgreement,
    ConsultationResponse,
    Consultee,
)
from services.domain.models.dis_applications import DisApplication
from services.domain.models.documents import (
    Document,
    DocumentKind,
    DocumentLink,
    DocumentVersion,
    VersionFile,
)
from services.domain.models.engagement_sessions import EngagementSession
from services.domain.models.governance import GovernanceRoute, Post, RouteVersion
from services.domain.models.idempotency import IdempotencyRecord
from services.domain.models.imports import TrackerImport
from services.domain.models.launch import Announcement, CommunicationPlanItem, DigestSubscription
from services.domain.models.meetings import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingDecision,
)
from services.domain.models.monitoring import (
    ImplementationReport,
    MonitoringAction,
    MonitoringEvidence,
)
from services.domain.models.notifications import Notification
from services.domain.models.organisations import Organisation
from services.domain.models.outbox import OutboxEvent
from services.domain.models.people import Person, PersonRole
from services.domain.models.policy_requests import PolicyRequest
from services.domain.models.publications import Publication
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionLimits
from services.domain.models.reviews import Review, ReviewDocument, UpdateCycle, UpdateCycleItem
from services.domain.models.sign_off import (
    Delegation,
    SignOff,
    SignOffDecision,
    SignOffInformed,
    SignOffStage,
)
from services.domain.models.statutory_sources import (
    StatutorySource,
    StatutorySourceChange,
    StatutorySourceImpact,
    StatutorySourceLink,
)
from services.domain.models.templates import KindTemplate
from services.domain.models.tracker import TrackerSnapshot, TrackerSnapshotCount
from services.domain.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "Acknowledgement",
    "AcknowledgementAudience",
    "AcknowledgementRequest",
    "AgendaItem",
    "Announcement",
    "ApiKey",
    "Attendance",
    "AuditChainHead",
    "AuditRecord",
    "Base",
    "Board",
    "BoardMember",
    "CascadeFlag",
    "CascadeRule",
    "CommunicationPlanItem",
    "Consultation",
    "ConsultationReportAgreement",
    "ConsultationResponse",
    "ConsultationSummary",
    "Consultee",
    "Delegation",
    "DigestSubscription",
    "DisApplication",
    "Document",
    "DocumentKind",
    "DocumentLink",
    "DocumentVersion",
    "EngagementSession",
    "EqualityAssessment",
    "FitnessCheck",
    "GovernanceRoute",
    "IdempotencyRecord",
    "ImplementationReport",
    "KindTemplate",
    "LegalReview",
    "Meeting",
    "MeetingAction",
    "MeetingDecision",
    "MonitoringAction",
    "MonitoringEvidence",
    "NoMaterialChangeStatement",
    "Notification",
    "Organisation",
    "OutboxEvent",
    "PapersRead",
    "Person",
    "PersonRole",
    "PolicyRequest",
    "Post",
    "Proposal",
    "Publication",
    "Review",
    "ReviewDocument",
    "ReviewExtension",
    "ReviewExtensionLimits",
    "RouteVersion",
    "SignOff",
    "SignOffDecision",
    "SignOffInformed",
    "SignOffStage",
    "StatutorySource",
    "StatutorySourceChange",
    "StatutorySourceImpact",
    "StatutorySourceLink",
    "TrackerImport",
    "TrackerSnapshot",
    "TrackerSnapshotCount",
    "UpdateCycle",
    "UpdateCycleItem",
    "VersionFile",
    "WebhookDelivery",
    "WebhookSubscription",
]
