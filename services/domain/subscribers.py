"""In-transaction subscribers: how a change in one part of the domain changes another part in
the same transaction, without the first importing the second.

A workflow never calls up or sideways. When something happens that another workflow must act
on (a board minutes a decision, a version is registered as issued, a document is retired), the
package where it happens calls ``react`` with what happened: an outbox event, or a signal of its
own where the event does not carry enough. ``services/domain/reactions/`` says who acts on each,
and every process installs that table once at start-up (the API, the notifier, the command line,
the tests). Reacting before it is installed is an error, never a silent no-op: a missing
reaction would lose a sign-off decision or a Tri.x removal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# (session, principal, what happened): the principal is whoever caused it (None for a sweep).
Subscriber = Callable[[AsyncSession, Any, Any], Awaitable[None]]


class _Table:
    """Who acts on what; None until installed."""

    def __init__(self) -> None:
        self.by_kind: dict[type, tuple[Subscriber, ...]] | None = None


_TABLE = _Table()


def install(table: Mapping[type, Sequence[Subscriber]]) -> None:
    """Set who acts on what (``services.domain.reactions.install`` calls this, once per
    process; installing the same table again changes nothing)."""
    _TABLE.by_kind = {kind: tuple(subscribers) for kind, subscribers in table.items()}


async def react(session: AsyncSession, principal: Any, happened: object) -> None:
    """Run every subscriber to ``type(happened)``, in the order the table lists them, in the
    caller's transaction: if one fails, the whole change is rolled back."""
    if _TABLE.by_kind is None:
        raise RuntimeError(
            "No reactions are installed: call services.domain.reactions.install() at start-up."
        )
    for subscriber in _TABLE.by_kind.get(type(happened), ()):
        await subscriber(session, principal, happened)
