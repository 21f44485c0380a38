"""Pages of the register kept in each API process and served again while nothing in the
organisation has changed.

A page (a list of documents, a search, the tracker, its summary) is a pure function of the
request, of what the caller may see, of the day in London, and of the organisation's data. Every
change to that data goes through a use case that appends to the organisation's audit chain in
the same transaction (services/domain/audit), and each record's hash covers the one before it:
so while the chain's head is the one a page was made under, the page is still what the database
would answer. A kept page costs one primary-key read of the chain head instead of the page's
queries and serialisation.

- The head is read *before* the page's queries: a change committed in between makes the page
  newer than its label, never older, and the next request makes it again.
- A page is kept for one caller's view: the organisation, the person and the permissions of the
  credential (what decides which drafts a caller sees), never for another's.
- ``POLICYGOV_PAGE_CACHE_SECONDS`` bounds how long a change that bypassed the audit trail (a hand
  edit in psql) can go unseen; ``POLICYGOV_PAGE_CACHE_MB`` bounds the memory, the least
  recently served pages going first.
- A page made on a read replica (services/api/replica.py) is labelled with the head read on
  the replica, in the page's own session (one connection, so one server, whose replay only
  moves forward), before its queries: a head read on the primary would label a page from
  before a change with the head after it, and serve it as current once the replica caught up.
  Whatever the database, a label is never newer than its page, and a page is served only to a
  request whose own database shows that label as the head.
- The test suite checks the premise: every transaction the API commits that writes documents or
  people also appends to that organisation's chain (tests/api/conftest.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.domain.audit.service import chain_head, chain_head_in
from services.domain.authz.principal import Principal
from services.domain.clock import london_today

# What an entry costs besides its body: the key, the record, the dictionary's slot.
_OVERHEAD_BYTES = 512


@dataclass(frozen=True, slots=True)
class _Kept:
    chain_head: str
    day: date
    stored_at: float
    body: bytes


class PageCache:
    """The kept pages of one process, least recently served first."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_bytes: int,
        max_age_seconds: float,
    ) -> None:
        self._engine = engine
        self._max_bytes = max_bytes
        self._max_age = max_age_seconds
        self._pages: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)

    def clear(self) -> None:
        self._pages.clear()
        self._bytes = 0

    async def find(
        self, request: Request, principal: Principal, session: AsyncSession | None = None
    ) -> Page:
        """The page this request asks for if one is kept and still true, else what keeps the
        page the route makes (``Page.keep``). ``session``: the one the route makes the page
        with, if it may be on the read replica."""
        day = london_today()
        if not self._max_bytes:
            return Page(self, None, "", day, None)
        key = (
            request.scope["path"],
            request.scope["query_string"],
            principal.view(),
        )
        if session is not None and session.info.get("replica"):
            # On the replica: in the page's own session, so on the server that makes the page.
            head = await chain_head_in(session, principal.organisation_id)
        else:
            # On a connection of its own, returned before the route's session takes one (only
            # if the page has to be made): a request holds one pooled connection at a time.
            head = await chain_head(self._engine, principal.organisation_id)
        kept = self._pages.get(key)
        if (
            kept is not None
            and kept.chain_head == head
            and kept.day == day
            and time.monotonic() - kept.stored_at < self._max_age
        ):
            self._pages.move_to_end(key)
            return Page(self, key, head, day, _response(kept.body))
        return Page(self, key, head, day, None)

    def _keep(self, key: tuple[Any, ...], kept: _Kept) -> None:
        size = len(kept.body) + _OVERHEAD_BYTES
        if size > self._max_bytes // 8:
            return  # one page may not crowd out the rest
        # A slower request may replace a newer page with an older one: the next request finds
        # the head moved on and makes the page again.
        old = self._pages.get(key)
        if old is not None:
            self._bytes -= len(old.body) + _OVERHEAD_BYTES
        self._pages[key] = kept
        self._pages.move_to_end(key)
        self._bytes += size
        while self._bytes > self._max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body) + _OVERHEAD_BYTES


@dataclass(frozen=True, slots=True)
class Page:
    """What ``PageCache.find`` found: ``found`` to send as it is, or None and ``keep`` to call
    with the page the route makes."""

    cache: PageCache
    key: tuple[Any, ...] | None
    chain_head: str
    day: date
    found: Response | None

    def keep(self, page: BaseModel) -> Response:
        """``page`` as the response, kept for the requests after this one."""
        body = page.__pydantic_serializer__.to_json(page, by_alias=True)
        if self.key is not None:
            self.cache._keep(self.key, _Kept(self.chain_head, self.day, time.monotonic(), body))
        return _response(body)


def _response(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")
