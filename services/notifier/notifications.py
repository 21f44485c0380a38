"""The send_notification job: one email, sent once, whatever runs twice or fails."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from services.domain.db import utcnow
from services.domain.notifications import service
from services.domain.notifications.retry import email_backoff
from services.notifier.email import (
    PermanentMailError,
    TransientMailError,
    backend_for,
    render,
)
from services.notifier.transport import SEND_NOTIFICATION

logger = logging.getLogger(__name__)


async def send_notification(ctx: dict[str, Any], notification_id: str) -> str:
    """Claim, render and send one notification, then record the outcome."""
    settings = ctx["settings"]
    sessionmaker = ctx["sessionmaker"]
    target = uuid.UUID(notification_id)
    async with sessionmaker() as session, session.begin():
        notification = await service.claim(
            session, target, timedelta(seconds=settings.send_lease_seconds)
        )
        if notification is None:
            return "not due or already taken"
        if not await service.is_still_true(session, notification):
            await service.finish(session, notification, "cancelled", error="no longer applies")
            return "cancelled"
    try:
        message = render(notification, settings)
        # The worker's backend keeps its SMTP connections; a job run alone opens its own.
        await (ctx.get("mail") or backend_for(settings)).send(message)
    except PermanentMailError as exc:
        async with sessionmaker() as session, session.begin():
            ours = await service.finish(session, notification, "failed", error=str(exc)[:2000])
        return "failed" if ours else "lease lost"
    except (TransientMailError, OSError, TimeoutError) as exc:
        base = timedelta(seconds=settings.email_retry_base_seconds)
        delay = email_backoff(notification.attempts, base)
        async with sessionmaker() as session, session.begin():
            if delay is None:
                gave_up = f"gave up: {exc}"[:2000]
                ours = await service.finish(session, notification, "failed", error=gave_up)
                return "failed" if ours else "lease lost"
            retry_at = utcnow() + delay
            ours = await service.finish(
                session, notification, "pending", error=str(exc)[:2000], retry_at=retry_at
            )
        if not ours:
            return "lease lost"
        try:
            await ctx["transport"].enqueue(
                SEND_NOTIFICATION, target, notification.attempts, retry_at
            )
        except Exception as enqueue_error:
            logger.warning("retry not queued (the sweep will): %s", enqueue_error)
        return "retrying"
    async with sessionmaker() as session, session.begin():
        ours = await service.finish(session, notification, "sent")
    return "sent" if ours else "sent, lease lost"
