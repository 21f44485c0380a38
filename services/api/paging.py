"""One way to list: every list endpoint takes its cursor and page size as ``Page`` (or
``AuditPage``, whose pages are longer) and cuts its rows into a page with it.

A cursor is signed and bound to the filters of the list it was issued for
(``services/domain/pagination.py``); a page is fetched with one row more than asked
(``Paging.fetch``), to know whether another page follows.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends

from services.api.deps import AppSettings
from services.api.types import Cursor, PageSize
from services.domain.pagination import decode_cursor, encode_cursor
from services.domain.tokens import Keyring

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """A list request's cursor and page size, and the keys that sign cursors."""

    keyring: Keyring
    cursor: str | None
    limit: int

    @property
    def fetch(self) -> int:
        """How many rows to read: one more than a page, to know if another follows."""
        return self.limit + 1

    def after(self, scope: dict[str, Any], shape: tuple[type, ...]) -> list[Any] | None:
        """The position the page starts after (one value of each type in ``shape``), or None
        for the first page; InvalidCursor if the cursor is not ours or not for ``scope``."""
        if not self.cursor:
            return None
        return decode_cursor(self.keyring, self.cursor, scope, shape)

    def after_time(self, scope: dict[str, Any]) -> tuple[datetime, uuid.UUID] | None:
        """``after`` for a list in (moment, id) order."""
        found = self.after(scope, (datetime, uuid.UUID))
        return (found[0], found[1]) if found is not None else None

    def page(
        self, rows: Sequence[T], scope: dict[str, Any], position: Callable[[T], list[Any]]
    ) -> tuple[list[T], str | None]:
        """``rows`` (read with ``fetch``) cut to a page, with the cursor of the next page, which
        points after ``position`` of the page's last row; None on the last page."""
        if len(rows) <= self.limit:
            return list(rows), None
        kept = list(rows[: self.limit])
        return kept, self.cursor_after(position(kept[-1]), scope)

    def time_page(
        self, rows: Sequence[T], scope: dict[str, Any], moment: Callable[[T], datetime]
    ) -> tuple[list[T], str | None]:
        """``page`` for a list in (moment, id) order."""
        return self.page(rows, scope, lambda row: [moment(row).isoformat(), str(row.id)])  # type: ignore[attr-defined]

    def cursor_after(self, position: list[Any], scope: dict[str, Any]) -> str:
        """A cursor for the page after ``position`` (where the service found the page's end)."""
        return encode_cursor(self.keyring, position, scope)


def _paging(default_limit: int) -> Callable[..., Awaitable[Paging]]:
    # A coroutine: FastAPI would run a plain function in its thread pool, a hand-off per request.
    async def paging(
        settings: AppSettings, cursor: Cursor | None = None, limit: PageSize = default_limit
    ) -> Paging:
        return Paging(settings.keyring, cursor, limit)

    return paging


Page = Annotated[Paging, Depends(_paging(50))]
# The audit trail is read in longer pages.
AuditPage = Annotated[Paging, Depends(_paging(100))]
