"""The audit trail: the paper trail a Freedom of Information request asks for."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query

from services.api.audit import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.paging import AuditPage
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import IsoDateTime
from services.domain.audit import service
from services.domain.authz import organisation as org_authz
from services.domain.authz.permissions import Permission as P

router = Router(prefix="/v1/audit", tags=["audit"])
EntityType = Literal[
    "organisation",
    "person",
    "api_key",
    "document",
    "document_link",
    "document_kind",
    "webhook_subscription",
    "webhook_delivery",
    "board",
    "cascade_flag",
    "cascade_rule",
    "meeting",
    "agenda_item",
    "meeting_action",
    "route",
    "post",
    "sign_off",
    "sign_off_informed",
    "delegation",
    "proposal",
    "policy_request",
    "equality_assessment",
    "legal_review",
    "fitness_check",
    "no_material_change_statement",
    "publication",
    "consultation",
    "consultation_response",
    "consultation_report_agreement",
    "consultation_summary",
    "kind_template",
    "review",
    "update_cycle",
    "update_cycle_item",
    "import",
    "dis_application",
    "review_extension",
    "engagement_session",
    "monitoring_action",
    "implementation_report",
    "acknowledgement_request",
    "acknowledgement",
    "communication_plan_item",
    "digest_subscription",
    "statutory_source",
    "statutory_source_change",
    "statutory_source_link",
]


@router.get("", response_model=schemas.AuditPage, dependencies=[allowed(P.AUDIT_READ)])
async def list_audit_records(
    session: Session,
    principal: CurrentPrincipal,
    page: AuditPage,
    entity_type: EntityType | None = None,
    entity_id: uuid.UUID | None = None,
    since: Annotated[
        IsoDateTime | None, Query(description="Inclusive, ISO 8601 with offset.")
    ] = None,
    until: Annotated[IsoDateTime | None, Query(description="Exclusive.")] = None,
) -> schemas.AuditPage:
    """Audit records, oldest first (admins and policy officers)."""
    org_authz.check_read_audit(principal)
    scope = {
        k: v
        for k, v in {
            "entity_type": entity_type,
            "entity_id": entity_id,
            "since": since,
            "until": until,
        }.items()
        if v is not None
    }
    found = page.after(scope, (int,))
    after_seq = found[0] if found is not None else 0
    records = await service.list_records(
        session,
        principal.organisation_id,
        entity_type=entity_type,
        entity_id=entity_id,
        since=since,
        until=until,
        after_seq=after_seq,
        limit=page.fetch,
    )
    records, next_cursor = page.page(records, scope, lambda r: [r.seq])
    return schemas.AuditPage(
        items=[schemas.AuditRecord.model_validate(r) for r in records], next_cursor=next_cursor
    )


@router.get(
    "/verification",
    response_model=schemas.ChainVerification,
    dependencies=[allowed(P.AUDIT_VERIFY)],
)
async def verify_audit_chain(
    session: Session, principal: CurrentPrincipal
) -> schemas.ChainVerification:
    """Recompute the organisation's hash chain and report the first broken link, if any."""
    org_authz.check_verify_audit(principal)
    verdict = await service.verify_chain(session, principal.organisation_id)
    return schemas.ChainVerification(
        records_checked=verdict.records_checked,
        is_intact=verdict.is_intact,
        first_broken_seq=verdict.first_broken_seq,
        reason=verdict.reason,
    )
