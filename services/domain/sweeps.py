"""How a sweep works through its items: each in its own savepoint.

A sweep (consultations opened and closed, review notices, reminders, update cycles closed,
meetings generated) handles many unrelated rows in one transaction. One row that cannot be
handled (bad data, a constraint, a bug) must not hold up the others: its savepoint is rolled
back, it is logged with its id and skipped, and the next sweep tries it again. The rest commit
together as before, with their outbox events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.errors import DomainError

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


async def each_in_savepoint(
    session: AsyncSession,
    items: Iterable[Item],
    handle: Callable[[Item], Awaitable[Result]],
    *,
    what: str,
) -> list[Result]:
    """``handle`` each item in its own savepoint; returns the results of those that succeeded.

    An item that raises is rolled back to its savepoint, logged (``what`` and its id) and
    skipped; the ones before and after it are kept.
    """
    done: list[Result] = []
    for item in list(items):
        name = getattr(item, "id", item)
        try:
            async with session.begin_nested():
                result = await handle(item)
        except Exception as exc:
            # A domain refusal explains itself; anything else is a bug worth its traceback.
            logger.warning(
                "%s %s skipped (the next sweep tries again): %s",
                what,
                name,
                exc,
                exc_info=not isinstance(exc, DomainError),
            )
            continue
        done.append(result)
    return done
