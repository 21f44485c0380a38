"""Where a read that tolerates lag goes: the read replica (``POLICYGOV_DATABASE_REPLICA_URL``),
except for a caller who has just written, whose reads stay on the primary for
``POLICYGOV_REPLICA_AFTER_WRITE_SECONDS`` so that nobody reads the register from before their
own change.

Several API processes must agree on who wrote lately, so a write is marked in Redis, a key per
caller expiring with the window, and in this process too. When Redis cannot say (down, slow),
the read goes to the primary: the replica is an optimisation, the primary is always right.
Whether a request wrote is asked of PostgreSQL itself (a transaction id was assigned), not
guessed from the HTTP method. deploy/SCALING.md explains the rule.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.authz.principal import Principal

logger = logging.getLogger(__name__)

# Redis answers within a millisecond when it is well: past this, the read goes to the primary.
_REDIS_TIMEOUT_SECONDS = 0.25
_WROTE = text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
# The marks this process keeps are pruned when there are more than this many.
_KEPT_MARKS = 10_000


def caller_key(principal: Principal) -> str:
    """Whose writes a read must see: the person (whichever of their keys wrote), else the key."""
    who = principal.person_id or principal.api_key_id or principal.label
    return f"policygov:wrote:{principal.organisation_id}:{who}"


class ReadRouting:
    """The replica's sessions and the marks of who wrote lately."""

    def __init__(
        self,
        replica: async_sessionmaker[AsyncSession],
        replica_autocommit: async_sessionmaker[AsyncSession],
        redis: Redis,
        window_seconds: float,
    ) -> None:
        self.replica = replica
        self.replica_autocommit = replica_autocommit
        self._redis = redis
        self._window = window_seconds
        self._marks: dict[str, float] = {}

    async def wrote(self, session: AsyncSession) -> bool:
        """Whether ``session``'s transaction wrote anything (PostgreSQL gave it an id)."""
        if not session.in_transaction():
            return False
        return bool(await session.scalar(_WROTE))

    async def mark(self, principal: Principal) -> None:
        """``principal`` wrote: its lag-tolerant reads go to the primary for the window."""
        if not self._window:
            return
        key = caller_key(principal)
        self._keep(key, time.monotonic() + self._window)
        try:
            async with asyncio.timeout(_REDIS_TIMEOUT_SECONDS):
                await self._redis.set(key, b"1", px=max(1, int(self._window * 1000)))
        except (RedisError, OSError, TimeoutError) as exc:
            # This process still knows; another may send the caller's next read to the replica.
            logger.warning("could not mark a write in Redis: %s", exc)

    async def use_replica(self, principal: Principal | None) -> bool:
        """Whether a lag-tolerant read by ``principal`` (None: nobody, a public feed) may go
        to the replica: not while its own write is within the window, nor when unsure."""
        if principal is None or not self._window:
            return True
        key = caller_key(principal)
        if self._marks.get(key, 0.0) > time.monotonic():
            return False
        try:
            async with asyncio.timeout(_REDIS_TIMEOUT_SECONDS):
                return not await self._redis.exists(key)
        except (RedisError, OSError, TimeoutError):
            return False

    def _keep(self, key: str, until: float) -> None:
        self._marks[key] = until
        if len(self._marks) > _KEPT_MARKS:
            now = time.monotonic()
            self._marks = {k: t for k, t in self._marks.items() if t > now}
