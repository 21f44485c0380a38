"""The audit trail: one hash-chained, append-only record per change, per organisation."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, partial
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapper

from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import Base, new_id
from services.domain.models.audit import AuditChainHead, AuditRecord

GENESIS_HASH = "0" * 64
ACTOR_LABEL_MAX = 320  # the length of audit_records.actor_label
# Columns that are derived or too large to belong in an audit snapshot.
SNAPSHOT_EXCLUDED = frozenset(
    {"latest_text", "published_text", "search_all", "search_published", "text", "key_hash"}
)


def snapshot(obj: Base) -> dict[str, Any]:
    """A JSON-safe dict of an entity's columns, for the audit record's before/after: those
    loaded (a column the database fills in and that was not read back is left out)."""
    state = inspect(obj)
    loaded = state.dict
    return {key: _json_safe(loaded[key]) for key in _snapshot_keys(state.mapper) if key in loaded}


@cache
def _snapshot_keys(mapper: Mapper[Any]) -> tuple[str, ...]:
    # Worked out once per entity class: a tracker import snapshots tens of thousands.
    return tuple(a.key for a in mapper.column_attrs if a.key not in SNAPSHOT_EXCLUDED)


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date | time | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, bytes):
        # A file (a kind's template): its size here, its hash in its own column.
        return f"{len(value)} bytes"
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def hashed_fields(record: AuditRecord | Mapping[str, Any]) -> dict[str, Any]:
    """The fields a record's hash covers, as the JSON values it is computed over; ``record`` is
    a stored record or the values of one about to be."""
    get = record.__getitem__ if isinstance(record, Mapping) else partial(getattr, record)
    return {
        "seq": get("seq"),
        "organisation_id": str(get("organisation_id")),
        "occurred_at": _iso(get("occurred_at")),
        "actor_person_id": _json_safe(get("actor_person_id")),
        "actor_api_key_id": _json_safe(get("actor_api_key_id")),
        "actor_label": get("actor_label"),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": str(get("entity_id")),
        "before": get("before"),
        "after": get("after"),
        "prev_hash": get("prev_hash"),
    }


def hash_of(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``hashed_fields``: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def compute_hash(record: AuditRecord) -> str:
    """SHA-256 over a canonical JSON form of the record, including the previous hash."""
    return hash_of(hashed_fields(record))


async def chain_head(engine: AsyncEngine, organisation_id: uuid.UUID) -> str:
    """The hash of the organisation's newest audit record. Each record's hash covers the one
    before it, so the head names everything recorded so far: while it is the same, nothing
    recorded has changed (even across a restore from backup, where a count could repeat).

    Asked on every request for a kept page (services/api/page_cache.py), on a connection
    rather than a session: a session's bookkeeping cost a third more. (Not the driver's own
    connection: SQLAlchemy is what notices a dead connection and opens new ones.)"""
    async with engine.connect() as connection:
        head = await connection.scalar(_CHAIN_HEAD, {"organisation_id": organisation_id})
    return head or GENESIS_HASH


_CHAIN_HEAD = select(AuditChainHead.last_hash).where(
    AuditChainHead.organisation_id == bindparam("organisation_id")
)


async def chain_head_in(session: AsyncSession, organisation_id: uuid.UUID) -> str:
    """``chain_head`` read in ``session``: on its connection, so on the very server (a read
    replica) that answers the statements after it."""
    head = await session.scalar(_CHAIN_HEAD, {"organisation_id": organisation_id})
    return head or GENESIS_HASH


async def start_chain(session: AsyncSession, organisation_id: uuid.UUID) -> None:
    """Create the chain head of a new organisation."""
    session.add(AuditChainHead(organisation_id=organisation_id, last_seq=0, last_hash=GENESIS_HASH))
    await session.flush()


async def record(
    session: AsyncSession,
    principal: Principal | None,
    *,
    organisation_id: uuid.UUID,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one record to the organisation's chain, in the caller's transaction.

    The chain head row is locked until the transaction ends, so concurrent writers of one
    organisation take turns and the chain never forks.
    """
    entry = Entry(action, entity_type, entity_id, before, after)
    await record_many(session, principal, organisation_id, [entry])


@dataclass(frozen=True)
class Entry:
    """One change to record: what was done to which entity, and its state before and after."""

    action: str
    entity_type: str
    entity_id: uuid.UUID
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


async def record_many(
    session: AsyncSession,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    entries: Sequence[Entry],
) -> None:
    """Append ``entries`` to the organisation's chain in their order, with one lock of its head
    and one INSERT (a tracker import records tens of thousands): the same records as one
    ``record`` call each, at one moment."""
    if not entries:
        return
    head = (
        await session.execute(
            select(AuditChainHead)
            .where(AuditChainHead.organisation_id == organisation_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    actor = {
        "organisation_id": organisation_id,
        "occurred_at": utcnow(),
        "actor_person_id": principal.person_id if principal else None,
        "actor_api_key_id": principal.api_key_id if principal else None,
        # A label built from a long email and key name must not overflow the column.
        "actor_label": (principal.label if principal else "system")[:ACTOR_LABEL_MAX],
    }
    rows = []
    for item in entries:
        values: dict[str, Any] = {
            **actor,
            "id": new_id(),
            "seq": head.last_seq + 1,
            "action": item.action,
            "entity_type": item.entity_type,
            "entity_id": item.entity_id,
            "before": item.before,
            "after": item.after,
            "prev_hash": head.last_hash,
        }
        values["hash"] = hash_of(hashed_fields(values))
        head.last_seq, head.last_hash = values["seq"], values["hash"]
        rows.append(values)
    # Rows, not objects: the records are never read back in the transaction that writes them.
    await session.execute(insert(AuditRecord), rows)
    await session.flush()


@dataclass(frozen=True)
class ChainVerdict:
    organisation_id: uuid.UUID
    records_checked: int
    is_intact: bool
    first_broken_seq: int | None = None
    reason: str | None = None


async def verify_chain(
    session: AsyncSession, organisation_id: uuid.UUID, batch_size: int = 2000
) -> ChainVerdict:
    """Recompute every hash of an organisation's chain and name the first broken link."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    last_seen = 0
    while True:
        rows: Sequence[AuditRecord] = (
            (
                await session.execute(
                    select(AuditRecord)
                    .where(AuditRecord.organisation_id == organisation_id)
                    .where(AuditRecord.seq > last_seen)
                    .order_by(AuditRecord.seq)
                    .limit(batch_size)
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for row in rows:
            problem = None
            if row.seq != expected_seq:
                problem = f"record {expected_seq} is missing"
            elif row.prev_hash != expected_prev:
                problem = "does not point at the previous record's hash"
            elif compute_hash(row) != row.hash:
                problem = "content does not match its hash"
            if problem:
                return ChainVerdict(organisation_id, checked, False, expected_seq, problem)
            expected_prev, expected_seq, checked = row.hash, row.seq + 1, checked + 1
        last_seen = rows[-1].seq
        session.expunge_all()
    head = await session.get(AuditChainHead, organisation_id)
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return ChainVerdict(
            organisation_id, checked, False, checked + 1, "records after this one were removed"
        )
    return ChainVerdict(organisation_id, checked, True)


async def list_records(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    *,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> list[AuditRecord]:
    """An organisation's records in chain order, filtered by entity and time."""
    query = select(AuditRecord).where(
        AuditRecord.organisation_id == organisation_id, AuditRecord.seq > after_seq
    )
    if entity_type:
        query = query.where(AuditRecord.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditRecord.entity_id == entity_id)
    if since:
        query = query.where(AuditRecord.occurred_at >= since)
    if until:
        query = query.where(AuditRecord.occurred_at < until)
    rows = await session.execute(query.order_by(AuditRecord.seq).limit(limit))
    return list(rows.scalars())
