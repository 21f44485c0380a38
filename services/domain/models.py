"""Imports every model so that ``Base.metadata`` is complete (Alembic and tests use this)."""

from services.domain.access.models import ApiKey
from services.domain.assessments.models import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
    Proposal,
)
from services.domain.audit.models import AuditChainHead, AuditRecord
from services.domain.boards.models import (
    AgendaItem,
    Attendance,
    Board,
    BoardMember,
    Meeting,
    MeetingAction,
    MeetingDecision,
)
from services.domain.consultations.models import Consultation, ConsultationResponse, Consultee
from services.domain.db import Base
from services.domain.documents.models import (
    Document,
    DocumentKind,
    DocumentLink,
    DocumentVersion,
    VersionFile,
)
from services.domain.idempotency.models import IdempotencyRecord
from services.domain.imports.models import TrackerImport
from services.domain.notifications.models import Notification
from services.domain.organisations.models import Organisation
from services.domain.outbox.models import OutboxEvent
from services.domain.people.models import Person, PersonRole
from services.domain.publications.models import Publication
from services.domain.reviews.models import Review, ReviewDocument, UpdateCycle, UpdateCycleItem
from services.domain.routes.models import GovernanceRoute, Post, RouteVersion
from services.domain.sign_off.models import Delegation, SignOff, SignOffDecision, SignOffStage
from services.domain.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "AgendaItem",
    "ApiKey",
    "Attendance",
    "AuditChainHead",
    "AuditRecord",
    "Base",
    "Board",
    "BoardMember",
    "Consultation",
    "ConsultationResponse",
    "Consultee",
    "Delegation",
    "Document",
    "DocumentKind",
    "DocumentLink",
    "DocumentVersion",
    "EqualityAssessment",
    "FitnessCheck",
    "GovernanceRoute",
    "IdempotencyRecord",
    "LegalReview",
    "Meeting",
    "MeetingAction",
    "MeetingDecision",
    "NoMaterialChangeStatement",
    "Notification",
    "Organisation",
    "OutboxEvent",
    "Person",
    "PersonRole",
    "Post",
    "Proposal",
    "Publication",
    "Review",
    "ReviewDocument",
    "RouteVersion",
    "SignOff",
    "SignOffDecision",
    "SignOffStage",
    "TrackerImport",
    "UpdateCycle",
    "UpdateCycleItem",
    "VersionFile",
    "WebhookDelivery",
    "WebhookSubscription",
]
