"""The state of each send: claiming a notification or delivery for one sender at a time,
checking it still holds, and finishing it (sent, failed, retried), each idempotent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    and_,
    any_,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import utcnow
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.notifications import Notification, NotificationStatus
from services.domain.models.webhooks import DeliveryStatus, WebhookDelivery
from services.domain.notices.kinds import KINDS
from services.domain.notifications.handlers import STILL_APPLIES

logger = logging.getLogger(__name__)


# A row of either table that keeps a send's state (status, attempts, lease).
Row = TypeVar("Row", Notification, WebhookDelivery)
# Each table's statuses: both have pending and sending, the states of a send in progress.
STATUS_OF: dict[
    type[Notification] | type[WebhookDelivery], type[NotificationStatus] | type[DeliveryStatus]
] = {
    Notification: NotificationStatus,
    WebhookDelivery: DeliveryStatus,
}


async def claim(
    session: AsyncSession, notification_id: uuid.UUID, lease: timedelta
) -> Notification | None:
    """Take a due notification for sending, or None if it is not due or someone else has it."""
    return await claim_due(session, Notification, notification_id, lease)


async def claim_all(
    session: AsyncSession, notification_ids: Sequence[uuid.UUID], lease: timedelta
) -> list[Notification]:
    """``claim`` for several notifications in one statement: those taken, in the order given."""
    return await claim_all_due(session, Notification, notification_ids, lease)


# The sender's statements are built once per table (and per set of columns a finish sets):
# building them took about a sixth of the notifier's CPU per email.
@lru_cache
def _claim_statement(model: type[Row]) -> Any:
    now: Any = bindparam("now")
    status = STATUS_OF[model]
    return (
        update(model)
        .where(model.id == any_(bindparam("row_ids", type_=ARRAY(PG_UUID(as_uuid=True)))))
        .where(
            or_(
                and_(model.status == status.PENDING, model.next_attempt_at <= now),
                and_(model.status == status.SENDING, model.locked_until < now),
            )
        )
        .values(status=status.SENDING, attempts=model.attempts + 1, locked_until=bindparam("until"))
        .returning(model)
        .execution_options(synchronize_session=False)
    )


@lru_cache
def _finish_statement(model: type[Row], columns: tuple[str, ...]) -> Any:
    return (
        update(model)
        .where(
            model.id == bindparam("row_id"),
            model.status == STATUS_OF[model].SENDING,
            model.attempts == bindparam("attempt"),
        )
        .values({column: bindparam(f"new_{column}") for column in columns})
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )


async def claim_due(
    session: AsyncSession, model: type[Row], row_id: uuid.UUID, lease: timedelta
) -> Row | None:
    """Claim one due notification or webhook delivery for one more attempt (a conditional
    UPDATE, so only one sender wins); a claim whose lease ran out (the sender died) can be
    taken again. Both tables keep the same state columns."""
    claimed = await claim_all_due(session, model, [row_id], lease)
    return claimed[0] if claimed else None


async def claim_all_due(
    session: AsyncSession, model: type[Row], row_ids: Sequence[uuid.UUID], lease: timedelta
) -> list[Row]:
    """``claim_due`` for several rows in one statement: those of ``row_ids`` that are due, in
    the order given; the others are not due, or another sender has them."""
    now = utcnow()
    claimed = await session.execute(
        _claim_statement(model), {"row_ids": list(row_ids), "now": now, "until": now + lease}
    )
    by_id = {row.id: row for row in claimed.scalars()}
    return [by_id[row_id] for row_id in row_ids if row_id in by_id]


async def is_still_true(session: AsyncSession, notification: Notification) -> bool:
    """Whether a notice still holds when its turn to be sent comes.

    A review notice about a due date that has since moved (reviewed meanwhile) is void, and so
    is a notice about a meeting cancelled (or moved again) since: a later notice tells them.
    A request to decide a sign-off stage is void once the stage no longer waits for it, and an
    invitation or reminder to respond to a consultation once it no longer asks for a response.
    """
    registered = KINDS.get(notification.kind)
    checker = STILL_APPLIES.get(registered.family) if registered else None
    if checker is not None:
        return await checker(session, notification.kind, notification.context)
    if registered is None or registered.family != "review" or notification.document_id is None:
        return True
    document = await session.get(Document, notification.document_id)
    if document is None or document.status in NO_LONGER_IN_FORCE:
        return False
    due = document.next_review_due
    return due is not None and due.isoformat() == notification.context.get("due_date")


async def finish_claimed(
    session: AsyncSession, model: type[Row], row_id: uuid.UUID, attempt: int, values: dict[str, Any]
) -> bool:
    """Record the outcome of the attempt ``attempt`` of a claimed notification or delivery, only
    if that attempt still holds the claim; False (and nothing changed) otherwise.

    A sender whose lease ran out may have been overtaken: another worker claimed the row again
    (one more attempt) and may already have sent it. The late sender's outcome must not undo
    that, so the UPDATE matches the row only while it is still "sending" at the same attempt.
    """
    columns = tuple(sorted(values))
    new_status = values.get("status")
    result = await session.execute(
        _finish_statement(model, columns),
        {"row_id": row_id, "attempt": attempt, **{f"new_{c}": values[c] for c in columns}},
    )
    if result.scalar_one_or_none() is not None:
        return True
    logger.warning(
        "stale finish ignored: %s %s attempt %d would have become %r; it no longer holds its claim",
        model.__tablename__,
        row_id,
        attempt,
        None if new_status is None else str(new_status),
    )
    return False


async def give_back(
    session: AsyncSession, model: type[Row], row: Row, at: datetime | None = None
) -> bool:
    """Undo the claim of a row that was not attempted after all (its sender ran short of its
    lease, or found the server down): pending again, the attempt not counted, due at ``at`` or
    when it was. False if the claim is no longer ours."""
    values: dict[str, Any] = {"status": STATUS_OF[model].PENDING, "attempts": row.attempts - 1}
    values["locked_until"] = None
    if at is not None:
        values["next_attempt_at"] = at
    return await finish_claimed(session, model, row.id, row.attempts, values)


async def finish(
    session: AsyncSession,
    notification: Notification,
    status: NotificationStatus,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> bool:
    """Record the outcome of the attempt claimed as ``notification``: sent, failed, cancelled,
    or pending for a retry. False, and nothing changed, if the attempt is no longer ours."""
    values: dict[str, Any] = {"status": status, "locked_until": None, "last_error": error}
    if status == NotificationStatus.SENT:
        values["sent_at"] = utcnow()
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    return await finish_claimed(
        session, Notification, notification.id, notification.attempts, values
    )


async def due_for_sending(
    session: AsyncSession,
    model: type[Notification] | type[WebhookDelivery],
    now: datetime,
    due_by: datetime | None = None,
    limit: int = 1000,
) -> list[tuple[uuid.UUID, int]]:
    """(id, attempts) of the rows a queue should hold now: pending ones due by ``due_by``
    (``now`` if not given) and lapsed claims.

    Works for notifications and webhook deliveries alike: both keep the same state columns.
    """
    status = STATUS_OF[model]
    rows = await session.execute(
        select(model.id, model.attempts)
        .where(
            or_(
                and_(model.status == status.PENDING, model.next_attempt_at <= (due_by or now)),
                and_(model.status == status.SENDING, model.locked_until < now),
            )
        )
        .order_by(model.next_attempt_at)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in rows]
