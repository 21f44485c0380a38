"""The send jobs: each email sent once, whatever runs twice or fails.

``send_notifications`` takes the notifications one relay round created together: one statement
claims them all and one transaction checks they still apply, then they go one after another
over the worker's kept SMTP connection, each outcome recorded as soon as it is known (a worker
killed midway has nothing sent left unrecorded but the message it was sending).
``send_notification`` is the same for one: a retry, or a row the sweep queued again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from services import tracing
from services.domain import correlation
from services.domain.clock import utcnow
from services.domain.models.notifications import Notification, NotificationStatus
from services.domain.notifications import sending
from services.domain.notifications.retry import email_backoff
from services.notifier.email import PermanentMailError, TransientMailError, compose
from services.notifier.mail_backends import FileBackend, SmtpBackend, backend_for
from services.notifier.metrics import EMAIL, NotifierMetrics
from services.notifier.relay import GIVEN_BACK, NOT_TAKEN, give_back_all
from services.notifier.transport import SEND_NOTIFICATION

logger = logging.getLogger(__name__)


async def send_notification(ctx: dict[str, Any], notification_id: str) -> str:
    """Claim, render and send one notification, then record the outcome."""
    target = uuid.UUID(notification_id)
    return (await send_all(ctx, [target]))[target]


async def send_notifications(ctx: dict[str, Any], notification_ids: list[str]) -> dict[str, int]:
    """arq job: ``send_notification`` for several at once; how many had each outcome."""
    outcomes = await send_all(ctx, [uuid.UUID(i) for i in notification_ids])
    return dict(Counter(outcomes.values()))


async def send_all(ctx: dict[str, Any], targets: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Claim the due ones of ``targets``, send each in turn and record each outcome."""
    settings = ctx["settings"]
    sessionmaker = ctx["sessionmaker"]
    outcomes = dict.fromkeys(targets, NOT_TAKEN)
    lease = timedelta(seconds=settings.send_lease_seconds)
    async with sessionmaker() as session, session.begin():
        claimed = await sending.claim_all(session, targets, lease)
        live = []
        for notification in claimed:
            if await sending.is_still_true(session, notification):
                live.append(notification)
            else:
                await sending.finish(
                    session, notification, NotificationStatus.CANCELLED, error="no longer applies"
                )
                outcomes[notification.id] = "cancelled"
    for notification in claimed:
        if outcomes[notification.id] == "cancelled":
            _log_send(notification, "cancelled")
            _count(ctx, "cancelled", notification)
    # Half the lease for the lot: what is left then is given back, well before another sender
    # could take a claim of ours that ran out.
    deadline = time.monotonic() + lease.total_seconds() / 2
    # The worker's backend keeps its SMTP connections; a job run alone opens its own.
    mail = ctx.get("mail") or backend_for(settings)
    for index, notification in enumerate(live):
        if time.monotonic() > deadline:
            await _give_back(ctx, live[index:], None, outcomes)
            break
        # Every line logged meanwhile names the request the email comes from.
        with (
            correlation.bound(notification.request_id),
            tracing.span("email.send", notification.traceparent, _attributes(notification)) as sp,
        ):
            outcome, server_down_until = await _send_one(ctx, mail, notification)
            sp.set_attribute("policygov.result", outcome)
            _log_send(notification, outcome)
        outcomes[notification.id] = outcome
        _count(ctx, outcome, notification)
        if server_down_until is not None:
            # The server failed, not the message: the rest wait as long as this one.
            await _give_back(ctx, live[index + 1 :], server_down_until, outcomes)
            break
    return outcomes


def _attributes(notification: Notification) -> dict[str, str | int | None]:
    return {
        "policygov.kind": notification.kind,
        "policygov.notification_id": str(notification.id),
        "policygov.attempt": notification.attempts,
        "policygov.request_id": notification.request_id,
    }


def _log_send(notification: Notification, outcome: str) -> None:
    # What was sent to whom is in the notifications table; the log says what happened.
    logger.info(
        "email %s",
        outcome,
        extra={
            "kind": notification.kind,
            "notification_id": str(notification.id),
            "attempt": notification.attempts,
            "result": outcome,
            "request_id": notification.request_id,
        },
    )


def _count(ctx: dict[str, Any], outcome: str, notification: Notification) -> None:
    metrics: NotifierMetrics | None = ctx.get("metrics")
    if metrics is not None:
        metrics.count_send(EMAIL, outcome, notification.attempts)


async def _send_one(
    ctx: dict[str, Any], mail: FileBackend | SmtpBackend, notification: Notification
) -> tuple[str, datetime | None]:
    """Send one claimed notification and record the outcome; with the time of its retry when
    the server (not this message) failed."""
    settings = ctx["settings"]
    sessionmaker = ctx["sessionmaker"]
    try:
        await mail.send(compose(notification, settings))
    except PermanentMailError as exc:
        async with sessionmaker() as session, session.begin():
            ours = await sending.finish(
                session, notification, NotificationStatus.FAILED, error=str(exc)[:2000]
            )
        return ("failed" if ours else "lease lost"), None
    except (TransientMailError, OSError, TimeoutError) as exc:
        base = timedelta(seconds=settings.email_retry_base_seconds)
        delay = email_backoff(notification.attempts, base)
        server_failed = not (isinstance(exc, TransientMailError) and exc.this_message_only)
        async with sessionmaker() as session, session.begin():
            if delay is None:
                gave_up = f"gave up: {exc}"[:2000]
                ours = await sending.finish(
                    session, notification, NotificationStatus.FAILED, error=gave_up
                )
                return ("failed" if ours else "lease lost"), None
            retry_at = utcnow() + delay
            ours = await sending.finish(
                session,
                notification,
                NotificationStatus.PENDING,
                error=str(exc)[:2000],
                retry_at=retry_at,
            )
        if not ours:
            return "lease lost", None
        await _enqueue(ctx, notification.id, notification.attempts, retry_at)
        return "retrying", (retry_at if server_failed else None)
    async with sessionmaker() as session, session.begin():
        ours = await sending.finish(session, notification, NotificationStatus.SENT)
    return ("sent" if ours else "sent, lease lost"), None


async def _give_back(
    ctx: dict[str, Any],
    notifications: list[Notification],
    at: datetime | None,
    outcomes: dict[uuid.UUID, str],
) -> None:
    given = await give_back_all(
        ctx["sessionmaker"], ctx["transport"], SEND_NOTIFICATION, Notification, notifications, at
    )
    outcomes.update(dict.fromkeys(given, GIVEN_BACK))


async def _enqueue(
    ctx: dict[str, Any], notification_id: uuid.UUID, attempt: int, at: datetime | None
) -> None:
    try:
        await ctx["transport"].enqueue(SEND_NOTIFICATION, notification_id, attempt, at)
    except Exception as enqueue_error:
        logger.warning("send not queued (the sweep will): %s", enqueue_error)
