"""The implementation report: how a document in force is being implemented, and the same for
the whole organisation.

Cafcass 7.4: "The Policy Author should monitor the rate of policy implementation through OPC
and identify any potential delays or issues. [...] A report on the level of policy compliance
should be circulated amongst ECMT." Dorset xi: "Develop systems for monitoring the use of
approved documents to provide CSLT with assurance that governance is effective."

A report is a JSON-safe dict (ids and dates as strings), so that the one tabled to a board is
kept exactly as it was (``ImplementationReport.content``) and renders the same way later. It
holds the monitoring actions (open, overdue, done with their outcomes, cancelled with their
reasons), the acknowledgement uptake of the version in force, the dis-applications in force
(Cafcass 6.1) and the open requests to the policy service about the document.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import monitoring as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.documents.service import get_document
from services.domain.implementation.uptake import uptake_of
from services.domain.models.dis_applications import DisApplication, DisApplicationStatus
from services.domain.models.documents import IN_FORCE, Document
from services.domain.models.monitoring import (
    MonitoringAction,
    MonitoringActionStatus,
    MonitoringEvidence,
)
from services.domain.models.people import Person
from services.domain.models.policy_requests import PolicyRequest, RequestStatus

# The organisation's report lists at most this many documents (those with anything to say).
MAX_DOCUMENTS = 500


async def _names(session: AsyncSession, org: uuid.UUID, ids: set[Any]) -> dict[Any, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(Person.id, Person.name).where(Person.organisation_id == org, Person.id.in_(ids))
    )
    return dict(rows.all())


async def _evidence_counts(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(MonitoringEvidence.action_id, func.count())
        .where(MonitoringEvidence.action_id.in_(ids))
        .group_by(MonitoringEvidence.action_id)
    )
    return {action_id: int(count) for action_id, count in rows.all()}


def _action(
    action: MonitoringAction, names: dict[Any, str], evidence: dict[uuid.UUID, int]
) -> dict[str, Any]:
    today = london_today()
    is_open = action.status == MonitoringActionStatus.OPEN
    return {
        "id": str(action.id),
        "document_id": str(action.document_id),
        "title": action.title,
        "owner_id": str(action.owner_id),
        "owner_name": names.get(action.owner_id, ""),
        "due_on": action.due_on.isoformat(),
        "status": str(action.status),
        "is_overdue": is_open and action.due_on < today,
        "outcome": action.outcome,
        "closed_on": action.closed_at.date().isoformat() if action.closed_at else None,
        "evidence_count": evidence.get(action.id, 0),
        "issued_version": action.issued_version,
    }


def _counts(actions: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "open": sum(a["status"] == "open" for a in actions),
        "overdue": sum(a["is_overdue"] for a in actions),
        "done": sum(a["status"] == "done" for a in actions),
        "cancelled": sum(a["status"] == "cancelled" for a in actions),
    }


async def _actions_of(
    session: AsyncSession, org: uuid.UUID, document_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(MonitoringAction)
        .where(
            MonitoringAction.organisation_id == org, MonitoringAction.document_id.in_(document_ids)
        )
        .order_by(MonitoringAction.due_on, MonitoringAction.id)
    )
    found = list(rows.scalars())
    names = await _names(session, org, {a.owner_id for a in found})
    evidence = await _evidence_counts(session, [a.id for a in found])
    return [_action(a, names, evidence) for a in found]


async def _dis_applications(
    session: AsyncSession, org: uuid.UUID, document_id: uuid.UUID
) -> list[dict[str, Any]]:
    today = london_today()
    rows = await session.execute(
        select(DisApplication)
        .where(
            DisApplication.organisation_id == org,
            DisApplication.document_id == document_id,
            DisApplication.status == DisApplicationStatus.APPROVED,
            DisApplication.starts_on <= today,
            DisApplication.ends_on >= today,
        )
        .order_by(DisApplication.ends_on, DisApplication.id)
    )
    return [
        {
            "id": str(d.id),
            "section": d.section,
            "applies_to": d.applies_to,
            "starts_on": d.starts_on.isoformat(),
            "ends_on": d.ends_on.isoformat(),
        }
        for d in rows.scalars()
    ]


async def _open_requests(
    session: AsyncSession, org: uuid.UUID, document_id: uuid.UUID
) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(PolicyRequest)
        .where(
            PolicyRequest.organisation_id == org,
            PolicyRequest.document_id == document_id,
            PolicyRequest.status == RequestStatus.OPEN,
        )
        .order_by(PolicyRequest.created_at, PolicyRequest.id)
    )
    return [
        {
            "id": str(r.id),
            "title": r.title,
            "kind": str(r.kind),
            "made_on": r.created_at.date().isoformat(),
            "triage_due_on": r.triage_due_on.isoformat(),
        }
        for r in rows.scalars()
    ]


def _document_facts(document: Document, owner_name: str) -> dict[str, Any]:
    return {
        "id": str(document.id),
        "reference": document.reference,
        "title": document.title,
        "status": str(document.status),
        "issued_version": document.issued_version,
        "owner_id": str(document.owner_id) if document.owner_id else None,
        "owner_name": owner_name,
        "next_review_due": document.next_review_due.isoformat()
        if document.next_review_due
        else None,
    }


async def document_findings(session: AsyncSession, document: Document) -> dict[str, Any]:
    """What monitoring has found about one document: no permission check (the caller has
    read the document); used by the report and by the review of the document."""
    org = document.organisation_id
    actions = await _actions_of(session, org, [document.id])
    names = await _names(session, org, {document.owner_id})
    return {
        "scope": "document",
        "as_of": london_today().isoformat(),
        "generated_at": utcnow().isoformat(),
        "document": _document_facts(document, names.get(document.owner_id, "")),
        "counts": _counts(actions),
        "actions": actions,
        "uptake": await uptake_of(session, org, document.id),
        "dis_applications_in_force": await _dis_applications(session, org, document.id),
        "open_requests": await _open_requests(session, org, document.id),
    }


async def document_report(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> dict[str, Any]:
    """The implementation report of one document (any member of staff; 404 for a foreign one)."""
    authz.check_read(principal)
    document = await get_document(session, principal, document_id)
    return await document_findings(session, document)


async def _reported_documents(session: AsyncSession, org: uuid.UUID) -> list[Document]:
    """The documents in force with anything to report: a monitoring action, a dis-application
    in force or an open request; by reference, at most ``MAX_DOCUMENTS``."""
    today = london_today()
    has_action = select(MonitoringAction.document_id).where(MonitoringAction.organisation_id == org)
    has_dis = select(DisApplication.document_id).where(
        DisApplication.organisation_id == org,
        DisApplication.status == DisApplicationStatus.APPROVED,
        DisApplication.starts_on <= today,
        DisApplication.ends_on >= today,
    )
    has_request = select(PolicyRequest.document_id).where(
        PolicyRequest.organisation_id == org, PolicyRequest.status == RequestStatus.OPEN
    )
    rows = await session.execute(
        select(Document)
        .where(
            Document.organisation_id == org,
            Document.status.in_(IN_FORCE),
            or_(
                Document.id.in_(has_action),
                Document.id.in_(has_dis),
                Document.id.in_(has_request),
            ),
        )
        .order_by(Document.reference)
        .limit(MAX_DOCUMENTS + 1)
    )
    return list(rows.scalars())


async def organisation_report(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """The organisation's implementation report (Dorset xi: assurance to CSLT): per document in
    force with anything to report, its actions, uptake, dis-applications and open requests;
    the totals; and every overdue action."""
    authz.check_read(principal)
    org = principal.organisation_id
    documents = await _reported_documents(session, org)
    truncated = len(documents) > MAX_DOCUMENTS
    documents = documents[:MAX_DOCUMENTS]
    actions = await _actions_of(session, org, [d.id for d in documents]) if documents else []
    references = {str(d.id): d.reference for d in documents}
    rows = []
    for document in documents:
        mine = [a for a in actions if a["document_id"] == str(document.id)]
        rows.append(
            {
                "document": _document_facts(document, ""),
                "counts": _counts(mine),
                "uptake": await uptake_of(session, org, document.id),
                "dis_applications_in_force": len(
                    await _dis_applications(session, org, document.id)
                ),
                "open_requests": len(await _open_requests(session, org, document.id)),
            }
        )
    return {
        "scope": "organisation",
        "as_of": london_today().isoformat(),
        "generated_at": utcnow().isoformat(),
        "counts": _counts(actions),
        "documents": rows,
        "overdue_actions": [
            {**a, "document_reference": references[a["document_id"]]}
            for a in actions
            if a["is_overdue"]
        ],
        "truncated": truncated,
    }
