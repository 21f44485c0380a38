"""The premise of the API's page cache (services/api/page_cache.py), checked on every test that
goes through the API: a transaction the API commits that writes documents or people also
appends to an audit chain. A page is served again while its organisation's chain head is
unchanged, so a change that left no audit record would leave it stale."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

# What the kept pages are made from.
_REGISTER_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(documents|people)"?\s', re.IGNORECASE
)
_CHAIN_MOVES = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?audit_chain_heads"?\s', re.IGNORECASE)


class RegisterWrites:
    """Watches an engine; ``unrecorded`` lists the register writes committed without an audit
    record, one statement each."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.unrecorded: list[str] = []
        sync = engine.sync_engine
        event.listen(sync, "after_cursor_execute", self._executed)
        event.listen(sync, "commit", self._committed)
        event.listen(sync, "rollback", self._forget)

    def _executed(self, conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if _CHAIN_MOVES.match(statement):
            conn.info["chain_moved"] = True
        elif _REGISTER_WRITE.match(statement):
            conn.info.setdefault("register_writes", []).append(statement)

    def _committed(self, conn: Connection) -> None:
        writes = conn.info.get("register_writes")
        if writes and not conn.info.get("chain_moved"):
            self.unrecorded.append(writes[0])
        self._forget(conn)

    def _forget(self, conn: Connection) -> None:
        conn.info.pop("register_writes", None)
        conn.info.pop("chain_moved", None)
