"""The state of one delivery while the notifier sends it: claimed, then finished once.

A claim is a conditional UPDATE, so a job that runs twice (or two workers) sends once; a claim
whose lease ran out (the sender died) can be taken again, and the late sender's outcome is then
ignored, because it no longer holds the attempt it claimed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.clock import utcnow
from services.domain.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription
from services.domain.notifications.sending import claim_all_due, claim_due, finish_claimed
from services.domain.webhooks.service import audit_snapshot

ERROR_MAX = 2000
REASON_MAX = 300  # the length of webhook_subscriptions.disabled_reason


async def claim(
    session: AsyncSession, delivery_id: uuid.UUID, lease: timedelta
) -> WebhookDelivery | None:
    """Take a due delivery for sending (one more attempt), or None if it is not due or taken."""
    return await claim_due(session, WebhookDelivery, delivery_id, lease)


async def claim_all(
    session: AsyncSession, delivery_ids: Sequence[uuid.UUID], lease: timedelta
) -> list[WebhookDelivery]:
    """``claim`` for several deliveries in one statement: those taken, in the order given."""
    return await claim_all_due(session, WebhookDelivery, delivery_ids, lease)


async def subscriptions_of(
    session: AsyncSession, claimed: Sequence[WebhookDelivery]
) -> dict[uuid.UUID, WebhookSubscription]:
    """The subscriptions the deliveries go to, by id, in one query."""
    wanted = {delivery.subscription_id for delivery in claimed}
    if not wanted:
        return {}
    rows = await session.execute(
        select(WebhookSubscription).where(WebhookSubscription.id.in_(wanted))
    )
    return {subscription.id: subscription for subscription in rows.scalars()}


async def finish(
    session: AsyncSession,
    delivery: WebhookDelivery,
    status: DeliveryStatus,
    *,
    status_code: int | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> bool:
    """Record the outcome of the attempt claimed as ``delivery``: delivered, failed, or pending
    again for a retry at ``retry_at``. False if the attempt is no longer ours."""
    values: dict[str, Any] = {
        "status": status,
        "locked_until": None,
        "last_status_code": status_code,
        # PostgreSQL text cannot hold NUL, and a receiver's answer may contain one.
        "last_error": error.replace("\x00", "")[:ERROR_MAX] if error else None,
    }
    if status == DeliveryStatus.DELIVERED:
        values["delivered_at"] = utcnow()
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    return await finish_claimed(session, WebhookDelivery, delivery.id, delivery.attempts, values)


async def disable_subscription(
    session: AsyncSession, subscription_id: uuid.UUID, reason: str
) -> None:
    """Stop sending to a receiver that asked us to (410 Gone); an admin can enable it again."""
    subscription = await session.get(WebhookSubscription, subscription_id)
    if subscription is None or not subscription.is_active:
        return
    before = audit_snapshot(subscription)
    subscription.is_active = False
    subscription.disabled_reason = reason[:REASON_MAX]
    await session.flush()
    await audit_changes.record_change(
        session,
        None,
        subscription,
        "webhook_subscription.disabled",
        before=before,
        after=audit_snapshot(subscription),
    )
