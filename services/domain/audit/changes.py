"""Recording a change to one entity: the one way every aggregate writes its audit record.

``record_change(session, principal, meeting, "meeting.moved", before=before)`` fills in the
organisation, the entity's type (the name clients filter the audit trail by, listed once
here) and id, and by default the entity's state after the change.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit.service import Entry, record_many, snapshot
from services.domain.authz.principal import Principal
from services.domain.db import Base
from services.domain.models.access import ApiKey
from services.domain.models.acknowledgements import Acknowledgement, AcknowledgementRequest
from services.domain.models.assessments import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
    Proposal,
)
from services.domain.models.boards import Board
from services.domain.models.cascades import CascadeFlag, CascadeRule
from services.domain.models.consultation_summaries import ConsultationSummary
from services.domain.models.consultations import (
    Consultation,
    ConsultationReportAgreement,
    ConsultationResponse,
)
from services.domain.models.dis_applications import DisApplication
from services.domain.models.documents import Document, DocumentKind, DocumentLink
from services.domain.models.engagement_sessions import EngagementSession
from services.domain.models.governance import GovernanceRoute, Post
from services.domain.models.launch import CommunicationPlanItem, DigestSubscription
from services.domain.models.meetings import AgendaItem, Meeting, MeetingAction
from services.domain.models.monitoring import ImplementationReport, MonitoringAction
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.models.policy_requests import PolicyRequest
from services.domain.models.publications import Publication
from services.domain.models.review_extensions import ReviewExtension
from services.domain.models.reviews import Review, UpdateCycle, UpdateCycleItem
from services.domain.models.sign_off import Delegation, SignOff, SignOffInformed
from services.domain.models.statutory_sources import (
    StatutorySource,
    StatutorySourceChange,
    StatutorySourceLink,
)
from services.domain.models.templates import KindTemplate
from services.domain.models.webhooks import WebhookDelivery, WebhookSubscription

# The audit trail's entity types, by the table they record (stored in each record and
# documented to clients: a new name here is a new value of `entity_type`).
ENTITY_TYPES: Final[dict[type[Base], str]] = {
    Acknowledgement: "acknowledgement",
    AcknowledgementRequest: "acknowledgement_request",
    AgendaItem: "agenda_item",
    ApiKey: "api_key",
    Board: "board",
    CascadeFlag: "cascade_flag",
    CascadeRule: "cascade_rule",
    Consultation: "consultation",
    ConsultationResponse: "consultation_response",
    ConsultationReportAgreement: "consultation_report_agreement",
    ConsultationSummary: "consultation_summary",
    KindTemplate: "kind_template",
    Delegation: "delegation",
    DisApplication: "dis_application",
    MonitoringAction: "monitoring_action",
    ImplementationReport: "implementation_report",
    EngagementSession: "engagement_session",
    CommunicationPlanItem: "communication_plan_item",
    DigestSubscription: "digest_subscription",
    Document: "document",
    DocumentKind: "document_kind",
    DocumentLink: "document_link",
    EqualityAssessment: "equality_assessment",
    FitnessCheck: "fitness_check",
    GovernanceRoute: "route",
    LegalReview: "legal_review",
    Meeting: "meeting",
    MeetingAction: "meeting_action",
    NoMaterialChangeStatement: "no_material_change_statement",
    Organisation: "organisation",
    Person: "person",
    PolicyRequest: "policy_request",
    Post: "post",
    Proposal: "proposal",
    Publication: "publication",
    Review: "review",
    ReviewExtension: "review_extension",
    SignOff: "sign_off",
    SignOffInformed: "sign_off_informed",
    StatutorySource: "statutory_source",
    StatutorySourceChange: "statutory_source_change",
    StatutorySourceLink: "statutory_source_link",
    UpdateCycle: "update_cycle",
    UpdateCycleItem: "update_cycle_item",
    WebhookDelivery: "webhook_delivery",
    WebhookSubscription: "webhook_subscription",
}


class _Snapshot:
    """The default ``after``: the entity's columns once changed (``audit.snapshot``)."""

    def __repr__(self) -> str:
        return "SNAPSHOT"


SNAPSHOT: Final = _Snapshot()


def entry(
    entity: Base,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | _Snapshot | None = SNAPSHOT,
) -> Entry:
    """The audit entry for ``action`` done to ``entity`` (``after`` defaults to its snapshot)."""
    return Entry(
        action,
        ENTITY_TYPES[type(entity)],
        entity.id,  # type: ignore[attr-defined]
        before,
        snapshot(entity) if isinstance(after, _Snapshot) else after,
    )


async def record_change(
    session: AsyncSession,
    principal: Principal | None,
    entity: Base,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | _Snapshot | None = SNAPSHOT,
) -> None:
    """Append the record of ``action`` done to ``entity`` to its organisation's chain, in the
    caller's transaction: ``before`` as the caller saw it, ``after`` the entity's snapshot
    unless given (``None`` for a deletion)."""
    organisation_id = entity.id if isinstance(entity, Organisation) else entity.organisation_id  # type: ignore[attr-defined]
    await record_many(
        session, principal, organisation_id, [entry(entity, action, before=before, after=after)]
    )
