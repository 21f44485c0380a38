"""The seam between the notifier and its queue. arq today; another queue would replace only
this module. The queue carries ids only; every job is idempotent, and PostgreSQL holds the
state, so a lost or repeated job costs nothing but time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from arq.connections import ArqRedis

SEND_NOTIFICATION = "send_notification"
DELIVER_WEBHOOK = "deliver_webhook"
RUN_IMPORT = "run_import"


class Transport(Protocol):
    async def enqueue(
        self, job: str, target_id: uuid.UUID, attempt: int, at: datetime | None
    ) -> None:
        """Ask for ``job`` on ``target_id``; the same (job, id, attempt) is queued at most once."""


class ArqTransport:
    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis

    async def enqueue(
        self, job: str, target_id: uuid.UUID, attempt: int, at: datetime | None = None
    ) -> None:
        await self.redis.enqueue_job(
            job, str(target_id), _job_id=f"{job}:{target_id}:{attempt}", _defer_until=at
        )
