"""Webhook subscriptions of an organisation, and the deliveries admins can see, replay or ping.

Admins only. The signing secret is shown once, when it is made (creation or rotation), and
never written to the audit trail.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import correlation
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.commands import UNSET
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.events import Event
from services.domain.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription
from services.domain.pagination import before_row
from services.domain.settings import Settings
from services.domain.webhooks.addresses import check_url
from services.domain.webhooks.commands import NewSubscription, SubscriptionChange
from services.domain.webhooks.signing import new_secret

PING = "webhook.ping"
# What a subscription can ask for: every domain event type.
EVENT_TYPES: tuple[str, ...] = tuple(
    cls.model_fields["type"].default for cls in get_args(get_args(Event)[0])
)
SECRET_FIELDS = ("secret", "previous_secret")
DEFAULT_OVERLAP_HOURS = 24


def audit_snapshot(subscription: WebhookSubscription) -> dict[str, Any]:
    """The subscription's columns for the audit trail, without its secrets."""
    data = audit.snapshot(subscription)
    for name in SECRET_FIELDS:
        data.pop(name, None)
    return data


def _check_event_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise Invalid(
            f"Unknown event types {', '.join(unknown)}; choose from {', '.join(EVENT_TYPES)}.",
            field="event_types",
        )
    return list(dict.fromkeys(event_types))


async def list_subscriptions(
    session: AsyncSession, principal: Principal
) -> list[WebhookSubscription]:
    """The organisation's subscriptions, oldest first (admins)."""
    org_authz.check_manage_webhooks(principal)
    rows = await session.execute(
        select(WebhookSubscription)
        .where(WebhookSubscription.organisation_id == principal.organisation_id)
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    )
    return list(rows.scalars())


async def get_subscription(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> WebhookSubscription:
    """One subscription of the caller's organisation (admins); NotFound for any other."""
    org_authz.check_manage_webhooks(principal)
    subscription = await session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.organisation_id != principal.organisation_id:
        raise NotFound("No such webhook subscription.")
    return subscription


async def create_subscription(
    session: AsyncSession, principal: Principal, settings: Settings, command: NewSubscription
) -> WebhookSubscription:
    """Subscribe a receiver URL to the organisation's events, with a new signing secret."""
    org_authz.check_manage_webhooks(principal)
    await check_url(command.url, settings)
    subscription = WebhookSubscription(
        organisation_id=principal.organisation_id,
        url=command.url,
        description=command.description,
        event_types=_check_event_types(command.event_types),
        secret=new_secret(),
    )
    session.add(subscription)
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        subscription,
        "webhook_subscription.created",
        after=audit_snapshot(subscription),
    )
    return subscription


async def update_subscription(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    subscription: WebhookSubscription,
    change: SubscriptionChange,
    *,
    expected_version: int,
) -> WebhookSubscription:
    """Change the URL, description or event types, or disable or re-enable a subscription."""
    org_authz.check_manage_webhooks(principal)
    if subscription.row_version != expected_version:
        raise PreconditionFailed("The subscription has changed since you read it.")
    changes = change.given()
    if change.url is not UNSET and change.url != subscription.url:
        await check_url(change.url, settings)
    if change.event_types is not UNSET:
        changes["event_types"] = _check_event_types(change.event_types)
    if change.is_active is not UNSET and change.is_active != subscription.is_active:
        changes["disabled_reason"] = None if change.is_active else "disabled by an admin"
    before = audit_snapshot(subscription)
    for key, value in changes.items():
        setattr(subscription, key, value)
    await session.flush()
    after = audit_snapshot(subscription)
    if after != before:
        await audit_changes.record_change(
            session,
            principal,
            subscription,
            "webhook_subscription.updated",
            before=before,
            after=after,
        )
    return subscription


async def delete_subscription(
    session: AsyncSession,
    principal: Principal,
    subscription: WebhookSubscription,
    *,
    expected_version: int,
) -> None:
    """Remove a subscription and its delivery history; nothing more is sent to it."""
    org_authz.check_manage_webhooks(principal)
    if subscription.row_version != expected_version:
        raise PreconditionFailed("The subscription has changed since you read it.")
    before = audit_snapshot(subscription)
    await session.delete(subscription)
    await session.flush()
    await audit_changes.record_change(
        session, principal, subscription, "webhook_subscription.deleted", before=before, after=None
    )


async def rotate_secret(
    session: AsyncSession,
    principal: Principal,
    subscription: WebhookSubscription,
    *,
    overlap_hours: int = DEFAULT_OVERLAP_HOURS,
) -> WebhookSubscription:
    """Give the subscription a new secret; the old one keeps signing for ``overlap_hours``.

    During the overlap every message carries both signatures, so the receiver can switch to the
    new secret whenever it likes (Standard Webhooks: rotation without downtime).
    """
    org_authz.check_manage_webhooks(principal)
    if overlap_hours < 0:
        raise Invalid("The overlap cannot be negative.", field="overlap_hours")
    before = audit_snapshot(subscription)
    if overlap_hours:
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_expires_at = utcnow() + timedelta(hours=overlap_hours)
    else:
        subscription.previous_secret = None
        subscription.previous_secret_expires_at = None
    subscription.secret = new_secret()
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        subscription,
        "webhook_subscription.secret_rotated",
        before=before,
        after=audit_snapshot(subscription),
    )
    return subscription


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The secrets that sign a message sent at ``now``: the current one, and the previous one
    until its overlap ends."""
    secrets = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and expires > now:
        secrets.append(subscription.previous_secret)
    return secrets


async def _new_delivery(
    session: AsyncSession,
    principal: Principal,
    subscription: WebhookSubscription,
    event_type: str,
    body: dict[str, Any],
    action: str,
    replay_of: uuid.UUID | None = None,
) -> WebhookDelivery:
    if not subscription.is_active:
        raise Conflict("The subscription is disabled; enable it first.", field="is_active")
    delivery = WebhookDelivery(
        organisation_id=subscription.organisation_id,
        subscription_id=subscription.id,
        event_id=None,
        event_type=event_type,
        body=body,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
        # A ping or a replay is sent for the request that asked for it.
        request_id=correlation.current_request_id(),
        traceparent=correlation.traceparent(),
    )
    session.add(delivery)
    await session.flush()
    after: dict[str, Any] = {"subscription_id": str(subscription.id), "event_type": event_type}
    if replay_of is not None:
        after["replay_of"] = str(replay_of)
    await audit_changes.record_change(session, principal, delivery, action, after=after)
    return delivery


async def create_ping(
    session: AsyncSession, principal: Principal, subscription: WebhookSubscription
) -> WebhookDelivery:
    """Queue a ``webhook.ping`` message, to test the receiver and its signature check."""
    org_authz.check_manage_webhooks(principal)
    now = utcnow()
    body = {
        "type": PING,
        "timestamp": now.isoformat(),
        "data": {"subscription_id": str(subscription.id)},
    }
    return await _new_delivery(
        session, principal, subscription, PING, body, "webhook_delivery.ping_created"
    )


async def replay(
    session: AsyncSession, principal: Principal, delivery: WebhookDelivery
) -> WebhookDelivery:
    """Send a delivery's message again, as a new message with its own ``webhook-id``.

    Standard Webhooks treats a replay as a new message: a receiver that de-duplicates on
    ``webhook-id`` would otherwise drop the very message the admin asked to send again. The body
    (its type, event timestamp and data) is the original's, byte for byte.

    An original still waiting for a retry is cancelled, superseded by the replay: otherwise its
    retry would bring the receiver the same event a second time under another id. One being
    sent at this moment cannot be taken back, so it is a Conflict until that attempt ends.
    """
    org_authz.check_manage_webhooks(principal)
    subscription = await get_subscription(session, principal, delivery.subscription_id)
    # Locked until commit: a worker claiming it meanwhile waits, then finds it cancelled.
    original = (
        await session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    now = utcnow()
    is_being_sent = original.status == DeliveryStatus.SENDING and (
        original.locked_until is None or original.locked_until >= now
    )
    if is_being_sent:
        raise Conflict(
            "This delivery is being sent right now; replay it once this attempt has ended."
        )
    replayed = await _new_delivery(
        session,
        principal,
        subscription,
        original.event_type,
        dict(original.body),
        "webhook_delivery.replayed",
        replay_of=original.id,
    )
    if original.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        await _supersede(session, principal, original, replayed)
    return replayed


async def _supersede(
    session: AsyncSession,
    principal: Principal,
    original: WebhookDelivery,
    replayed: WebhookDelivery,
) -> None:
    before = {"status": original.status, "attempts": original.attempts}
    original.status = DeliveryStatus.CANCELLED
    original.locked_until = None
    original.superseded_by = replayed.id
    original.last_error = f"superseded by its replay {replayed.webhook_id}"
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        original,
        "webhook_delivery.superseded",
        before=before,
        after={"status": DeliveryStatus.CANCELLED, "superseded_by": str(replayed.id)},
    )


async def get_delivery(
    session: AsyncSession,
    principal: Principal,
    subscription: WebhookSubscription,
    delivery_id: uuid.UUID,
) -> WebhookDelivery:
    """One delivery of ``subscription``; NotFound for any other."""
    org_authz.check_manage_webhooks(principal)
    delivery = await session.get(WebhookDelivery, delivery_id)
    if (
        delivery is None
        or delivery.subscription_id != subscription.id
        or delivery.organisation_id != principal.organisation_id
    ):
        raise NotFound("No such delivery of this subscription.")
    return delivery


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    subscription: WebhookSubscription,
    *,
    status: DeliveryStatus | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[WebhookDelivery]:
    """Deliveries of a subscription, newest first; ``after`` is the last (created_at, id) seen."""
    org_authz.check_manage_webhooks(principal)
    query = select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription.id,
        WebhookDelivery.organisation_id == principal.organisation_id,
    )
    if status:
        query = query.where(WebhookDelivery.status == status)
    if after:
        query = query.where(before_row(WebhookDelivery.created_at, WebhookDelivery.id, after))
    rows = await session.execute(
        query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)
    )
    return list(rows.scalars())
