"""The seam between the notifier and its queue. arq today; another queue would replace only
this module. The queue carries ids only; every job is idempotent, and PostgreSQL holds the
state, so a lost or repeated job costs nothing but time."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from arq.connections import ArqRedis

SEND_NOTIFICATION = "send_notification"
DELIVER_WEBHOOK = "deliver_webhook"
RUN_IMPORT = "run_import"
# The jobs that take several ids at once, for what the relay creates together: a job costs
# about ten Redis round trips and its claim a transaction, whatever the number of ids.
SEND_NOTIFICATIONS = "send_notifications"
DELIVER_WEBHOOKS = "deliver_webhooks"
BATCHED = {SEND_NOTIFICATION: SEND_NOTIFICATIONS, DELIVER_WEBHOOK: DELIVER_WEBHOOKS}
# Ids a job takes at most: enough to spread the queue's cost, few enough that the worker's
# concurrent jobs share a burst between them and a job finishes well within its lease.
BATCH_SIZE = 20


class Transport(Protocol):
    async def enqueue(
        self, job: str, target_id: uuid.UUID, attempt: int, at: datetime | None
    ) -> None:
        """Ask for ``job`` on ``target_id``; the same (job, id, attempt) is queued at most once."""

    async def enqueue_new(self, job: str, target_ids: Sequence[uuid.UUID]) -> None:
        """Ask for ``job`` on each of ``target_ids``, rows just created (first attempt, now)."""


class ArqTransport:
    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis

    async def enqueue(
        self, job: str, target_id: uuid.UUID, attempt: int, at: datetime | None = None
    ) -> None:
        await self.redis.enqueue_job(
            job, str(target_id), _job_id=f"{job}:{target_id}:{attempt}", _defer_until=at
        )

    async def enqueue_new(self, job: str, target_ids: Sequence[uuid.UUID]) -> None:
        """Rows of a job that takes several at once go BATCH_SIZE to a job; a lone row gets
        the job of one, under the id the sweep would give it."""
        batched = BATCHED.get(job)
        if batched is None or len(target_ids) == 1:
            for target_id in target_ids:
                await self.enqueue(job, target_id, 0, None)
            return
        for start in range(0, len(target_ids), BATCH_SIZE):
            ids = [str(target_id) for target_id in target_ids[start : start + BATCH_SIZE]]
            digest = hashlib.sha256(",".join(ids).encode()).hexdigest()[:32]
            await self.redis.enqueue_job(batched, ids, _job_id=f"{batched}:{digest}")
