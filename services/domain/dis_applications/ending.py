"""How a dis-application ends: withdrawn before its decision, revoked early with a reason, or
expired once its end date has passed (the notifier's daily sweep)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import dis_applications as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.dis_applications.service import decider_of
from services.domain.errors import Conflict, Invalid
from services.domain.models.dis_applications import (
    OPEN_STATUSES,
    DisApplication,
    DisApplicationStatus,
)
from services.domain.models.documents import Document
from services.domain.outbox.service import emit
from services.domain.sweeps import each_in_savepoint

Ended = Literal["withdrawn", "revoked", "expired"]


async def _end(
    session: AsyncSession,
    principal: Principal | None,
    dis_application: DisApplication,
    status: Ended,
    reason: str,
) -> DisApplication:
    before = audit.snapshot(dis_application)
    dis_application.status = DisApplicationStatus(status)
    dis_application.ended_by_id = principal.person_id if principal is not None else None
    dis_application.ended_at = utcnow()
    dis_application.end_reason = reason
    await session.flush()
    await audit_changes.record_change(
        session, principal, dis_application, f"dis_application.{status}", before=before
    )
    await emit(
        session,
        events.DisApplicationEnded(
            organisation_id=dis_application.organisation_id,
            dis_application_id=dis_application.id,
            document_id=dis_application.document_id,
            status=status,
            ended_by_id=dis_application.ended_by_id,
        ),
    )
    return dis_application


def _reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid("Give the reason.", field="reason")
    return reason.strip()


async def withdraw_dis_application(
    session: AsyncSession, principal: Principal, dis_application: DisApplication, reason: str
) -> DisApplication:
    """Take back a request not yet decided (its requester, or the policy team)."""
    authz.check_withdraw(principal, dis_application)
    if dis_application.status != DisApplicationStatus.REQUESTED:
        raise Conflict(
            f"This dis-application is {dis_application.status}: only a request not yet decided "
            "can be withdrawn."
        )
    return await _end(session, principal, dis_application, "withdrawn", _reason(reason))


async def revoke_dis_application(
    session: AsyncSession, principal: Principal, dis_application: DisApplication, reason: str
) -> DisApplication:
    """End an approved dis-application before its end date, with a reason (the decider the
    organisation names, or the policy team): the document applies in full again."""
    document = await session.get(Document, dis_application.document_id)
    assert document is not None
    authz.check_revoke(principal, dis_application, await decider_of(session, document))
    if dis_application.status != DisApplicationStatus.APPROVED:
        raise Conflict(
            f"This dis-application is {dis_application.status}: only an approved one can be "
            "revoked."
        )
    return await _end(session, principal, dis_application, "revoked", _reason(reason))


async def end_with_document(session: AsyncSession, principal: Principal, document: Document) -> int:
    """The document is no longer in force (retired or superseded): nothing of it applies, so
    its requests are withdrawn and its approved dis-applications revoked; how many."""
    rows = await session.execute(
        select(DisApplication)
        .where(
            DisApplication.organisation_id == document.organisation_id,
            DisApplication.document_id == document.id,
            DisApplication.status.in_(OPEN_STATUSES),
        )
        .order_by(DisApplication.created_at, DisApplication.id)
        .with_for_update()
    )
    reason = f"{document.reference} is {document.status}: none of it applies any more."
    ended = 0
    for dis_application in rows.scalars().all():
        requested = dis_application.status == DisApplicationStatus.REQUESTED
        status: Ended = "withdrawn" if requested else "revoked"
        await _end(session, principal, dis_application, status, reason)
        ended += 1
    return ended


async def expire_due(session: AsyncSession, today: date) -> int:
    """Mark expired every approved dis-application whose end date is before ``today``, each
    once (the rows are locked and skipped if another sweep holds them); how many."""
    rows = await session.execute(
        select(DisApplication)
        .where(
            DisApplication.status == DisApplicationStatus.APPROVED,
            DisApplication.ends_on < today,
        )
        .order_by(DisApplication.ends_on, DisApplication.id)
        .with_for_update(skip_locked=True)
    )

    async def expire(dis_application: DisApplication) -> DisApplication:
        reason = f"Its end date, {dis_application.ends_on.isoformat()}, has passed."
        return await _end(session, None, dis_application, "expired", reason)

    expired = await each_in_savepoint(session, rows.scalars().all(), expire, what="expiry")
    return len(expired)
