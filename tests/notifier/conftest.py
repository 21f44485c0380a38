from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pytest


@dataclass
class RecordingTransport:
    """The queue seam, recording what would be queued (the queue's own tests use Redis)."""

    jobs: list[tuple[str, uuid.UUID, int, datetime | None]] = field(default_factory=list)
    broken: bool = False

    async def enqueue(
        self, job: str, target_id: uuid.UUID, attempt: int, at: datetime | None = None
    ) -> None:
        if self.broken:
            raise ConnectionError("queue unavailable")
        self.jobs.append((job, target_id, attempt, at))

    async def enqueue_new(self, job: str, target_ids: Sequence[uuid.UUID]) -> None:
        for target_id in target_ids:
            await self.enqueue(job, target_id, 0, None)


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()
