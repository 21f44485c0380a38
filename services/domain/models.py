"""Imports every model so that ``Base.metadata`` is complete (Alembic and tests use this)."""

from services.domain.access.models import ApiKey
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
from services.domain.db import Base
from services.domain.documents.models import (
    Document,
    DocumentKind,
    DocumentLink,
    DocumentVersion,
    VersionFile,
)
from services.domain.idempotency.models import IdempotencyRecord
from services.domain.notifications.models import Notification
from services.domain.organisations.models import Organisation
from services.domain.outbox.models import OutboxEvent
from services.domain.people.models import Person, PersonRole
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
    "Document",
    "DocumentKind",
    "DocumentLink",
    "DocumentVersion",
    "IdempotencyRecord",
    "Meeting",
    "MeetingAction",
    "MeetingDecision",
    "Notification",
    "Organisation",
    "OutboxEvent",
    "Person",
    "PersonRole",
    "VersionFile",
    "WebhookDelivery",
    "WebhookSubscription",
]
