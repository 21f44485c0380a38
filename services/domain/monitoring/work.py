"""Working a monitoring action: recording evidence, saying it is done with its outcome, or
cancelling it with the reason.

Cafcass 7.4: the author identifies "any potential delays or issues. Where issues are being
raised such as confusion around the meaning of certain text then these should be referred to
the Policy Sponsor or lead officer": the outcome says what was found, and the document's owner
is told when an action closes (services/domain/monitoring/notices.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import monitoring as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.monitoring import (
    EvidenceKind,
    MonitoringAction,
    MonitoringActionStatus,
    MonitoringEvidence,
)
from services.domain.monitoring import rules
from services.domain.monitoring.commands import NewEvidence
from services.domain.monitoring.service import document_of
from services.domain.outbox.service import emit


def _require_open(action: MonitoringAction) -> None:
    if action.status != MonitoringActionStatus.OPEN:
        raise Conflict(f"This monitoring action is {action.status}.")


def _checked_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    parts = urlsplit(url.strip())
    # A link people can open from the report: an intranet page, a case audit, an OPC record.
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise Invalid("A link is an http or https address.", field="url")
    return url.strip()


async def add_evidence(
    session: AsyncSession, principal: Principal, action: MonitoringAction, command: NewEvidence
) -> MonitoringEvidence:
    """Record a note, and optionally a link, against an open action (its owner, the
    document's people or the policy team); at most ``rules.MAX_EVIDENCE_PER_ACTION``."""
    authz.check_record(principal, action, await document_of(session, action))
    _require_open(action)
    if not command.note.strip():
        raise Invalid("Say what the evidence shows.", field="note")
    url = _checked_url(command.url)
    count = await session.scalar(
        select(func.count()).where(MonitoringEvidence.action_id == action.id)
    )
    if (count or 0) >= rules.MAX_EVIDENCE_PER_ACTION:
        raise Conflict(
            f"This action already has {rules.MAX_EVIDENCE_PER_ACTION} pieces of evidence: "
            "summarise them in its outcome."
        )
    evidence = MonitoringEvidence(
        id=new_id(),
        organisation_id=action.organisation_id,
        action_id=action.id,
        kind=EvidenceKind.LINK if url else EvidenceKind.NOTE,
        note=command.note.strip(),
        url=url,
        recorded_by_id=principal.person_id,
        recorded_at=utcnow(),
    )
    session.add(evidence)
    action.updated_at = utcnow()
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        action,
        "monitoring_action.evidence_added",
        before=None,
        after={"evidence_id": str(evidence.id), "note": evidence.note, "url": evidence.url},
    )
    return evidence


async def _close(
    session: AsyncSession,
    principal: Principal,
    action: MonitoringAction,
    status: MonitoringActionStatus,
    outcome: str,
) -> MonitoringAction:
    _require_open(action)
    if not outcome.strip():
        done = status == MonitoringActionStatus.DONE
        raise Invalid(
            "Say what was found and what changed." if done else "Give the reason.",
            field="outcome" if done else "reason",
        )
    before = audit.snapshot(action)
    action.status = status
    action.outcome = outcome.strip()
    action.closed_by_id = principal.person_id
    action.closed_at = utcnow()
    await session.flush()
    await audit_changes.record_change(
        session, principal, action, f"monitoring_action.{status}", before=before
    )
    await emit(
        session,
        events.MonitoringActionClosed(
            organisation_id=action.organisation_id,
            monitoring_action_id=action.id,
            document_id=action.document_id,
            status="done" if status == MonitoringActionStatus.DONE else "cancelled",
            closed_by_id=principal.person_id,
        ),
    )
    return action


async def complete_action(
    session: AsyncSession, principal: Principal, action: MonitoringAction, outcome: str
) -> MonitoringAction:
    """Say an open action is done, with its outcome (its owner, the document's people or the
    policy team)."""
    authz.check_record(principal, action, await document_of(session, action))
    return await _close(session, principal, action, MonitoringActionStatus.DONE, outcome)


async def cancel_action(
    session: AsyncSession, principal: Principal, action: MonitoringAction, reason: str
) -> MonitoringAction:
    """Cancel an open action no longer needed, with the reason (the document's people or the
    policy team; not its owner alone, who says it is done instead)."""
    authz.check_manage(principal, await document_of(session, action))
    return await _close(session, principal, action, MonitoringActionStatus.CANCELLED, reason)
