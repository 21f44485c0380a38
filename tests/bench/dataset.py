"""The bench database: created and migrated as in production, bulk-loaded once, then reused.

The organisation, its people and the admin API key go through the domain functions (so auth and
the audit chain are as in production); the 100,000 documents, their versions and files are copied
in with COPY in the same transaction, so a database that has the organisation is complete.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import uuid
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.access import service as access
from services.domain.db import make_engine, make_sessionmaker
from services.domain.errors import Unauthenticated
from services.domain.organisations import service as organisations
from services.domain.people import service as people
from tests.bench.rows import Batch, Context, generate_batch

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/policygov_bench"
SLUG = "bench"
# Bump when the generated data changes shape: a database made by another generator is rebuilt.
GENERATOR = "bench-v1"
ADMIN_EMAIL = "policy.admin@bench.example.org"
BATCH_SIZE = 2000
TABLES = ("documents", "document_versions", "version_files")
SET_UP_TABLES = ("organisations", "people", "person_roles", "document_kinds", "api_keys")

_FIRST = (
    "Amira Ben Chloe Daniel Ella Femi Grace Harpreet Isaac Jade Kwame Leah Mohammed Niamh Owen "
    "Priya Rhys Sarah Tom Uzma Victoria Wesley Yasmin Zoe Aled"
)
_LAST = (
    "Ahmed Baker Campbell Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Morgan Nowak "
    "Okafor Patel Quinn Roberts Singh Taylor Walsh Young"
)
FIRST_NAMES, LAST_NAMES = tuple(_FIRST.split()), tuple(_LAST.split())
# (role, how many, job title): a policy team, strategic managers, authors and readers.
STAFF = (
    ("admin", 1, "Policy Systems Administrator"),
    ("policy_officer", 4, "Policy and Procedures Officer"),
    ("approver", 10, "Head of Service"),
    ("author", 20, "Team Manager"),
    ("reader", 15, "Social Worker"),
)


@dataclass
class Dataset:
    url: str
    organisation_id: uuid.UUID
    api_key: str
    documents: int
    generation_seconds: float | None  # None when the data was reused


def dsn(url: str, database: str | None = None) -> str:
    """The plain libpq URL asyncpg takes, from a SQLAlchemy URL."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def organisation_name(documents: int) -> str:
    return f"Bench Social Care Trust ({GENERATOR}, {documents} documents)"


async def find_complete(url: str, documents: int) -> uuid.UUID | None:
    """The bench organisation's id if the database already holds the generated register."""
    try:
        conn = await asyncpg.connect(dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        row = await conn.fetchrow("SELECT id, name FROM organisations WHERE slug = $1", SLUG)
        if row is None or row["name"] != organisation_name(documents):
            return None
        count = await conn.fetchval(
            "SELECT count(*) FROM documents WHERE organisation_id = $1", row["id"]
        )
        return row["id"] if count == documents else None
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    name = make_url(url).database
    if not name or "bench" not in name:
        raise SystemExit(
            f"refusing to drop database {name!r}: the bench only rebuilds a database whose "
            "name contains 'bench' (set BENCH_DATABASE_URL to one)"
        )
    conn = await asyncpg.connect(dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _create_staff(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    roster: Sequence[tuple[str, int, str]] = STAFF,
) -> dict[str, list[Any]]:
    staff: dict[str, list[Any]] = {}
    number = 0
    for role, count, job_title in roster:
        for _ in range(count):
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
            email = ADMIN_EMAIL if role == "admin" else f"{first}.{last}.{number}@bench.example.org"
            person = await people.create_person(
                session,
                None,
                organisation_id=organisation_id,
                name=f"{first} {last}",
                email=email.lower(),
                job_title=job_title,
                roles=[role],
            )
            staff.setdefault(role, []).append(person.id)
            number += 1
    return staff


async def _table_columns(
    conn: asyncpg.Connection, table: str, supplied: Sequence[str]
) -> list[str]:
    """The supplied columns the table has; fails on a required column the generator lacks."""
    rows = await conn.fetch(
        """SELECT column_name, is_nullable, column_default, is_generated
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1""",
        table,
    )
    missing = [
        r["column_name"]
        for r in rows
        if r["is_nullable"] == "NO"
        and r["column_default"] is None
        and r["is_generated"] == "NEVER"
        and r["column_name"] not in supplied
    ]
    if missing:
        raise SystemExit(
            f"{table} has required columns the bench generator does not fill: {missing}; "
            "add them to tests/bench/rows.py"
        )
    present = {r["column_name"] for r in rows if r["is_generated"] == "NEVER"}
    return [c for c in supplied if c in present]


async def _drop_secondary_indexes(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """Drop the indexes no constraint needs; building them after the load is much faster."""
    rows = await conn.fetch(
        """SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = ANY($1::regclass[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
        list(TABLES),
    )
    for row in rows:
        await conn.execute(f'DROP INDEX "{row["name"]}"')
    return [(r["name"], r["definition"]) for r in rows]


async def _copy(conn: asyncpg.Connection, batch: Batch, columns: dict[str, list[str]]) -> None:
    for table, rows in (
        ("documents", batch.documents),
        ("document_versions", batch.versions),
        ("version_files", batch.files),
    ):
        cols = columns[table]
        await conn.copy_records_to_table(
            table, records=[tuple(row[c] for c in cols) for row in rows], columns=cols
        )


async def generate(url: str, documents: int, seed: int, key_file: Path) -> Dataset:
    """Create the organisation, its staff and key, then COPY the register in; one transaction."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            org = await organisations.create_organisation(
                session, slug=SLUG, name=organisation_name(documents)
            )
            staff = await _create_staff(session, org.id)
            issued = await access.create_api_key(
                session,
                None,
                organisation_id=org.id,
                role="admin",
                name="bench admin key",
                person_id=staff["admin"][0],
            )
            raw = await (await session.connection()).get_raw_connection()
            conn: asyncpg.Connection = raw.driver_connection
            await conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            await conn.execute("SET LOCAL synchronous_commit = off")
            dropped = await _drop_secondary_indexes(conn)
            context = _context(org.id, staff, documents, seed)
            columns = await _columns(conn, context)
            print(f"  people and API key created; loading {documents:,} documents with COPY")
            await _load(conn, [context], columns)
            load_done = time.perf_counter()
            timings = []
            for name, definition in dropped:
                t = time.perf_counter()
                await conn.execute(definition)
                timings.append(f"{name} {time.perf_counter() - t:.1f} s")
            print(
                f"  {len(dropped)} indexes rebuilt in {time.perf_counter() - load_done:.1f} s: "
                + ", ".join(timings)
            )
        await _vacuum(url)
    finally:
        await engine.dispose()
    _save_key(key_file, org.id, issued.secret)
    return Dataset(url, org.id, issued.secret, documents, time.perf_counter() - started)


# The scale run's other organisations (tests/bench/run.py --scale): a smaller staff each.
OTHER_STAFF = (
    ("admin", 1, "Policy Systems Administrator"),
    ("policy_officer", 1, "Policy and Procedures Officer"),
    ("approver", 3, "Head of Service"),
    ("author", 5, "Team Manager"),
)


def other_slug(number: int) -> str:
    return f"{SLUG}-other-{number:04d}"


async def count_organisations(url: str) -> int:
    conn = await asyncpg.connect(dsn(url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM organisations"))
    finally:
        await conn.close()


async def add_organisations(url: str, count: int, each: int, seed: int) -> float:
    """``count`` more organisations, ``each`` documents apiece, around the bench's own: the register
    of a shared service (the scale goal). One transaction, as ``generate``; the seconds taken."""
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            contexts = []
            for number in range(1, count + 1):
                org = await organisations.create_organisation(
                    session,
                    slug=other_slug(number),
                    name=f"Bench shared-service member {number} ({GENERATOR})",
                )
                staff = await _create_staff(session, org.id, OTHER_STAFF)
                contexts.append(_context(org.id, staff, each, seed + number))
            print(f"  {count} organisations and their staff created", flush=True)
            raw = await (await session.connection()).get_raw_connection()
            conn: asyncpg.Connection = raw.driver_connection
            await conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            await conn.execute("SET LOCAL synchronous_commit = off")
            dropped = await _drop_secondary_indexes(conn)
            columns = await _columns(conn, contexts[0])
            await _load(conn, contexts, columns)
            t = time.perf_counter()
            for _, definition in dropped:
                await conn.execute(definition)
            print(
                f"  {len(dropped)} indexes rebuilt in {time.perf_counter() - t:.0f} s", flush=True
            )
        await _vacuum(url)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def _context(
    organisation_id: uuid.UUID, staff: dict[str, list[Any]], documents: int, seed: int
) -> Context:
    return Context(
        organisation_id=organisation_id,
        owners=tuple(staff["approver"] + staff["policy_officer"]),
        officers=tuple(staff["approver"] + staff["author"][:8]),
        authors=tuple(staff["author"]),
        uploaders=tuple(staff["policy_officer"]),
        total=documents,
        seed=seed,
    )


async def _columns(conn: asyncpg.Connection, context: Context) -> dict[str, list[str]]:
    sample = generate_batch(context, 0, 1)
    return {
        "documents": await _table_columns(conn, "documents", list(sample.documents[0])),
        "document_versions": await _table_columns(
            conn, "document_versions", list(sample.versions[0])
        ),
        "version_files": await _table_columns(conn, "version_files", list(sample.files[0])),
    }


async def _vacuum(url: str) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        t = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE) " + ", ".join(TABLES))
        # And what the organisations' set-up wrote (people, roles, kinds): without statistics,
        # PostgreSQL took 5,040 people for 480 and hashed them all for a page of 23 documents.
        # A deployment's autovacuum would see to it; the bench must not wait for one.
        await conn.execute("ANALYZE " + ", ".join(SET_UP_TABLES))
        print(f"  VACUUM ANALYZE in {time.perf_counter() - t:.1f} s")
    finally:
        await conn.close()


async def _load(
    conn: asyncpg.Connection, contexts: Sequence[Context], columns: dict[str, list[str]]
) -> None:
    """Generate batches in a second process while this one copies the previous batch; the
    organisations of ``contexts`` one after another."""
    started = time.perf_counter()
    starts = deque((c, s) for c in contexts for s in range(0, c.total, BATCH_SIZE))
    total = sum(c.total for c in contexts)
    pending: deque[Future[Batch]] = deque()
    done = versions = words = 0
    last_report = started
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        while starts or pending:
            while starts and len(pending) < 2:
                context, start = starts.popleft()
                pending.append(pool.submit(generate_batch, context, start, BATCH_SIZE))
            batch = await asyncio.wrap_future(pending.popleft())
            await _copy(conn, batch, columns)
            done += len(batch.documents)
            versions += len(batch.versions)
            words += batch.words
            now = time.perf_counter()
            if now - last_report > 5 or done == total:
                rate = done / (now - started)
                print(
                    f"  {done:>9,} / {total:,} documents, {versions:,} versions "
                    f"({words / max(versions, 1):.0f} words each)  {rate:,.0f} documents/s  "
                    f"eta {(total - done) / rate:.0f} s",
                    flush=True,
                )
                last_report = now


def _load_keys(key_file: Path) -> dict[str, str]:
    return json.loads(key_file.read_text()) if key_file.exists() else {}


def _save_key(key_file: Path, organisation_id: uuid.UUID, secret: str) -> None:
    keys = _load_keys(key_file)
    keys[str(organisation_id)] = secret
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(json.dumps(keys, indent=2))
    key_file.chmod(0o600)


async def reuse(url: str, organisation_id: uuid.UUID, documents: int, key_file: Path) -> Dataset:
    """The existing register, with the saved admin key or a new one if it was lost."""
    secret = _load_keys(key_file).get(str(organisation_id))
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            if secret:
                try:
                    principal = await access.authenticate_api_key(session, secret)
                    if principal.organisation_id == organisation_id and "admin" in principal.roles:
                        return Dataset(url, organisation_id, secret, documents, None)
                except Unauthenticated:
                    pass
            admin = await people.find_by_email(session, organisation_id, ADMIN_EMAIL)
            issued = await access.create_api_key(
                session,
                None,
                organisation_id=organisation_id,
                role="admin",
                name="bench admin key",
                person_id=admin.id if admin else None,
            )
    finally:
        await engine.dispose()
    _save_key(key_file, organisation_id, issued.secret)
    return Dataset(url, organisation_id, issued.secret, documents, None)


async def sample_ids(url: str, organisation_id: uuid.UUID, count: int) -> list[str]:
    conn = await asyncpg.connect(dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT id FROM documents WHERE organisation_id = $1 ORDER BY random() LIMIT $2",
            organisation_id,
            count,
        )
    finally:
        await conn.close()
    return [str(r["id"]) for r in rows]
