"""The delivery jobs: one signed POST per attempt (Standard Webhooks), sent once.

``deliver_webhooks`` takes the deliveries one relay round created together (one claim for
all); ``deliver_webhook`` one delivery, a retry or a row the sweep queued again.

Every attempt of a delivery carries the same ``webhook-id`` and the same body bytes; only the
timestamp and the signatures are new. Outcomes: 2xx delivered; 410 Gone disables the
subscription; 408, 429, 5xx, timeouts and connection errors are tried again on the schedule
(honouring Retry-After); any other answer, redirects included (never followed), fails at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import tracing
from services.domain import correlation
from services.domain.clock import utcnow
from services.domain.errors import Invalid
from services.domain.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription
from services.domain.notifications.retry import honour_retry_after, webhook_backoff
from services.domain.settings import Settings
from services.domain.webhooks import deliveries
from services.domain.webhooks.addresses import UnresolvableHost
from services.domain.webhooks.service import signing_secrets
from services.domain.webhooks.signing import signature_header
from services.notifier.metrics import WEBHOOK, NotifierMetrics
from services.notifier.relay import GIVEN_BACK, NOT_TAKEN, give_back_all
from services.notifier.transport import DELIVER_WEBHOOK, Transport

logger = logging.getLogger(__name__)
USER_AGENT = "policygov-webhooks/0.1"
TRANSIENT_STATUSES = frozenset({408, 429})
EXCERPT_BYTES = 500


@dataclass(frozen=True)
class Answer:
    """What one POST got back: a status code, or None when there was no answer at all."""

    status_code: int | None
    error: str | None = None
    retry_after: str | None = None

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def is_transient(self) -> bool:
        code = self.status_code
        return code is None or code in TRANSIENT_STATUSES or code >= 500


async def deliver_webhook(ctx: dict[str, Any], delivery_id: str) -> str:
    """arq job: one attempt of one delivery."""
    outcomes = await deliver_all(
        ctx["sessionmaker"],
        [uuid.UUID(delivery_id)],
        ctx["settings"],
        ctx["transport"],
        ctx["http"],
        ctx.get("metrics"),
    )
    return outcomes[uuid.UUID(delivery_id)]


async def deliver_webhooks(ctx: dict[str, Any], delivery_ids: list[str]) -> dict[str, int]:
    """arq job: one attempt of each of several deliveries; how many had each outcome."""
    outcomes = await deliver_all(
        ctx["sessionmaker"],
        [uuid.UUID(i) for i in delivery_ids],
        ctx["settings"],
        ctx["transport"],
        ctx["http"],
        ctx.get("metrics"),
    )
    return dict(Counter(outcomes.values()))


async def deliver(
    session_factory: async_sessionmaker[AsyncSession],
    delivery_id: uuid.UUID,
    settings: Settings,
    transport: Transport,
    http: httpx.AsyncClient,
) -> str:
    """Claim one due delivery, POST it once, record the outcome; returns a short outcome."""
    outcomes = await deliver_all(session_factory, [delivery_id], settings, transport, http)
    return outcomes[delivery_id]


async def deliver_all(
    session_factory: async_sessionmaker[AsyncSession],
    delivery_ids: list[uuid.UUID],
    settings: Settings,
    transport: Transport,
    http: httpx.AsyncClient,
    metrics: NotifierMetrics | None = None,
) -> dict[uuid.UUID, str]:
    """Claim the due ones of ``delivery_ids`` in one statement, then POST each once in turn,
    recording each outcome as soon as it is known. What is left when half the lease has gone
    is given back (pending again, the attempt not counted) and queued again."""
    outcomes = dict.fromkeys(delivery_ids, NOT_TAKEN)
    lease = timedelta(seconds=settings.send_lease_seconds)
    async with session_factory() as session, session.begin():
        claimed = await deliveries.claim_all(session, delivery_ids, lease)
        subscriptions = await deliveries.subscriptions_of(session, claimed)
        live = []
        for delivery in claimed:
            subscription = subscriptions.get(delivery.subscription_id)
            if subscription is None or not subscription.is_active:
                await deliveries.finish(
                    session, delivery, DeliveryStatus.FAILED, error="subscription disabled"
                )
                outcomes[delivery.id] = "failed"
                if metrics is not None:
                    metrics.count_send(WEBHOOK, "failed", delivery.attempts)
            else:
                live.append((delivery, subscription))
    deadline = time.monotonic() + lease.total_seconds() / 2
    for index, (delivery, subscription) in enumerate(live):
        if time.monotonic() > deadline:
            left = [d for d, _ in live[index:]]
            given = await give_back_all(
                session_factory, transport, DELIVER_WEBHOOK, WebhookDelivery, left, None
            )
            outcomes.update(dict.fromkeys(given, GIVEN_BACK))
            break
        with (
            correlation.bound(delivery.request_id),
            tracing.span("webhook.deliver", delivery.traceparent, _attributes(delivery)) as sp,
        ):
            outcome = await _deliver_one(
                session_factory, transport, settings, http, delivery, subscription
            )
            sp.set_attribute("policygov.result", outcome)
            _log_attempt(delivery, outcome)
        outcomes[delivery.id] = outcome
        if metrics is not None:
            metrics.count_send(WEBHOOK, outcome, delivery.attempts)
    return outcomes


def _log_attempt(delivery: WebhookDelivery, outcome: str) -> None:
    # What was posted is in the deliveries table; the log says what happened.
    logger.info(
        "webhook %s",
        outcome,
        extra={
            "event_type": delivery.event_type,
            "delivery_id": str(delivery.id),
            "subscription_id": str(delivery.subscription_id),
            "attempt": delivery.attempts,
            "result": outcome,
            "request_id": delivery.request_id,
        },
    )


def _attributes(delivery: WebhookDelivery) -> dict[str, str | int | None]:
    return {
        "policygov.event_type": delivery.event_type,
        "policygov.delivery_id": str(delivery.id),
        "policygov.attempt": delivery.attempts,
        "policygov.request_id": delivery.request_id,
    }


async def _deliver_one(
    session_factory: async_sessionmaker[AsyncSession],
    transport: Transport,
    settings: Settings,
    http: httpx.AsyncClient,
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
) -> str:
    try:
        # Checked again at every connection, by the client (services/domain/webhooks/client.py):
        # the host may resolve elsewhere than when it was saved, or than a moment ago.
        answer = await _post(http, subscription, delivery, settings.webhook_timeout_seconds)
    except UnresolvableHost as exc:
        return await _retry_or_fail(session_factory, transport, delivery, Answer(None, exc.detail))
    except Invalid as exc:
        return await _fail(session_factory, delivery, Answer(None, f"refused: {exc.detail}"))
    if answer.is_success:
        async with session_factory() as session, session.begin():
            await deliveries.finish(
                session, delivery, DeliveryStatus.DELIVERED, status_code=answer.status_code
            )
        return "delivered"
    if answer.status_code == 410:
        async with session_factory() as session, session.begin():
            if await deliveries.finish(
                session, delivery, DeliveryStatus.FAILED, status_code=410, error=answer.error
            ):
                await deliveries.disable_subscription(
                    session, subscription.id, "the receiver answered 410 Gone"
                )
        return "subscription disabled"
    if answer.is_transient:
        return await _retry_or_fail(session_factory, transport, delivery, answer)
    return await _fail(session_factory, delivery, answer)


async def _post(
    http: httpx.AsyncClient,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
    timeout_seconds: float,
) -> Answer:
    # Compact JSON of the stored body: identical bytes on every attempt, and what is signed.
    body = json.dumps(delivery.body, separators=(",", ":"), ensure_ascii=False).encode()
    now = utcnow()
    timestamp = int(now.timestamp())
    msg_id = delivery.webhook_id
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            signing_secrets(subscription, now), msg_id, timestamp, body
        ),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    if delivery.request_id:
        # The request that caused the event: a subscriber can quote it to the operator.
        headers["x-request-id"] = delivery.request_id
    try:
        # httpx's timeout bounds each read; this bounds the whole exchange.
        async with (
            asyncio.timeout(timeout_seconds),
            http.stream(
                "POST",
                subscription.url,
                content=body,
                headers=headers,
                timeout=timeout_seconds,
                follow_redirects=False,
            ) as response,
        ):
            if response.is_success:
                return Answer(response.status_code)
            return Answer(
                response.status_code,
                await _describe(response),
                response.headers.get("retry-after"),
            )
    except (TimeoutError, httpx.TimeoutException):
        return Answer(None, f"no answer within {timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}")


async def _describe(response: httpx.Response) -> str:
    """The status and the start of the body: enough to diagnose, never a large body."""
    text = f"HTTP {response.status_code}"
    if response.is_redirect:
        return f"{text}: redirect to {response.headers.get('location', '?')} not followed"
    excerpt = b""
    try:
        async for chunk in response.aiter_bytes():
            excerpt += chunk
            if len(excerpt) >= EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass
    if excerpt:
        text += ": " + excerpt[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    return text


async def _fail(
    session_factory: async_sessionmaker[AsyncSession], delivery: WebhookDelivery, answer: Answer
) -> str:
    async with session_factory() as session, session.begin():
        await deliveries.finish(
            session,
            delivery,
            DeliveryStatus.FAILED,
            status_code=answer.status_code,
            error=answer.error,
        )
    return "failed"


async def _retry_or_fail(
    session_factory: async_sessionmaker[AsyncSession],
    transport: Transport,
    delivery: WebhookDelivery,
    answer: Answer,
) -> str:
    delay = webhook_backoff(delivery.attempts)
    if delay is None:
        gave_up = Answer(
            answer.status_code, f"gave up after {delivery.attempts} attempts: {answer.error}"
        )
        return await _fail(session_factory, delivery, gave_up)
    retry_at = utcnow() + honour_retry_after(delay, answer.retry_after)
    async with session_factory() as session, session.begin():
        ours = await deliveries.finish(
            session,
            delivery,
            DeliveryStatus.PENDING,
            status_code=answer.status_code,
            error=answer.error,
            retry_at=retry_at,
        )
    if not ours:
        return "lease lost"
    try:
        await transport.enqueue(DELIVER_WEBHOOK, delivery.id, delivery.attempts, retry_at)
    except Exception as exc:  # the sweep queues every due row again
        logger.warning("retry of delivery %s not queued (the sweep will): %s", delivery.id, exc)
    return "retrying"
