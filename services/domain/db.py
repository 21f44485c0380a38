"""SQLAlchemy base, engine and session factory shared by the API, the notifier and the CLI."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import DateTime, Dialect, ForeignKeyConstraint, MetaData, String, func, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from services.domain.clock import utcnow

# Polar's habit: predictable constraint names, so migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


T = TypeVar("T")
# Values in one IN list or array of a statement: far under asyncpg's 32,767 parameters.
LOOKUP_CHUNK = 5000


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` a statement's worth (LOOKUP_CHUNK) at a time."""
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def new_id() -> uuid.UUID:
    """A time-ordered UUID (version 7): keeps primary-key indexes compact.

    Within this process each id is greater than the one before (RFC 9562 6.2, method 1: the 12
    bits after the version count up within a millisecond, from a random start), so rows made in
    one go sort by id in the order they were made, as lists ordered by (created_at, id) expect
    when two rows share a moment."""
    global _last_ms, _counter
    with _ids:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x7FF
        else:  # the same millisecond (or the clock stepped back): count on
            _counter += 1
            if _counter > 0xFFF:
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    rand = int.from_bytes(os.urandom(8), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


_ids = threading.Lock()
_last_ms = 0
_counter = 0


E = TypeVar("E", bound=StrEnum)


def values_of(enum: type[StrEnum]) -> tuple[str, ...]:
    """An enum's values as plain strings, in order: what a CHECK constraint lists."""
    return tuple(member.value for member in enum)


class Status(TypeDecorator[E]):
    """A status column: stored as text (VARCHAR, CHECKed against the enum's values, as before
    the enums), read back as the enum, so code compares members, never bare strings. Any
    ``StrEnum`` member or its text is accepted on the way in; what is not one of the values is
    the CHECK constraint's to refuse."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def same_organisation_fk(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """``table.(organisation_id, column)`` refers to ``target.(organisation_id, id)``: a row
    names only rows of its own organisation. Named as the naming convention names a key on
    ``column`` alone (``fk_<table>_<column>_<target>``)."""
    return ForeignKeyConstraint(
        ["organisation_id", column],
        [f"{target}.organisation_id", f"{target}.id"],
        name=f"fk_{table}_{column}_{target}",
        ondelete=ondelete,
    )


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now(), onupdate=utcnow
    )


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 5,
    pre_ping: bool = False,
    recycle_seconds: int = 1800,
    connect_timeout_seconds: float = 10.0,
    pgbouncer: bool = False,
) -> AsyncEngine:
    """An engine for ``url``; with ``pgbouncer``, one fit for PgBouncer in transaction mode."""
    # asyncpg waits 60 s by default: a request should fail fast when PostgreSQL is away.
    connect_args: dict[str, Any] = {"timeout": connect_timeout_seconds}
    if pgbouncer:
        url, more = pgbouncer_safe(url)
        connect_args |= more
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pre_ping,
        pool_recycle=recycle_seconds,
        connect_args=connect_args,
    )


def pgbouncer_safe(url: str) -> tuple[str, dict[str, Any]]:
    """``url`` and asyncpg's connect arguments for PgBouncer in transaction mode: a client
    connection is lent a server connection per transaction only, so a statement prepared in one
    transaction may be missing in the next ("prepared statement ... does not exist"), and a
    name the driver reuses may already be taken on another ("... already exists"). Neither
    SQLAlchemy nor asyncpg keeps prepared statements, and each has a name of its own (as
    SQLAlchemy's asyncpg dialect documents for PgBouncer)."""
    safe = make_url(url).update_query_dict({"prepared_statement_cache_size": "0"})
    return safe.render_as_string(hide_password=False), {
        "statement_cache_size": 0,
        "prepared_statement_name_func": _statement_name,
    }


def _statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


# PostgreSQL away, starting, stopping or full: the request may succeed later, unchanged.
_UNAVAILABLE = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,  # connecting timed out
    socket.gaierror,  # the host name does not resolve
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and a connection closed under us
    asyncpg.CannotConnectNowError,  # starting up or in recovery
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says PostgreSQL could not be reached, not that a statement was wrong."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            current = current.orig
        else:
            # Only the explicit cause: an unrelated error handled earlier is no evidence.
            current = current.__cause__
    return False


def make_sessionmaker(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; ``info`` is what each session carries in ``session.info`` (where
    version files are written: ``documents.files.session_info``)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)


async def plan_for_these_values(session: AsyncSession) -> None:
    """Plan each statement of this transaction for its own values, not a generic plan.

    In a register shared by many organisations, PostgreSQL's generic plan for a prepared
    statement assumes an organisation of the average size; for a large one it filtered 27,055
    rows to find a page of the register (90 ms, where the page's own plan took 0.7), and the
    choice between the two flipped from one run to the next. Needs a transaction (``Session``,
    not ``ReadSession``): the setting ends with it."""
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
