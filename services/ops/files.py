"""``policygov move-files``: move version files between PostgreSQL and the S3 store, verified.

Each file is copied to the target store, read back there and checked against the sha256 its
version recorded at upload; only then does its row point to the new store, and the old copy
goes (for PostgreSQL, in the same statement; an object, after the row's commit). A file at
fault stays where it was and is reported; the others move on. One transaction per file, so an
interrupted run has lost nothing, and running it again moves only what is left: a second run
with nothing left does nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.documents.files import FileStores, PostgresStore, stores_from
from services.domain.errors import DomainError, FileDamaged, FileStoreUnavailable, Invalid
from services.domain.models.documents import DocumentVersion, FileStore, VersionFile
from services.domain.settings import get_settings


@dataclass
class MoveReport:
    to: FileStore
    moved: int = 0
    moved_bytes: int = 0
    failed: list[str] = field(default_factory=list)
    # Moved, but the old object could not be deleted: it is an orphan, named here.
    left_behind: list[str] = field(default_factory=list)
    # Why the run stopped before the end (the S3 store could not be reached): run it again.
    stopped: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class _File:
    organisation_id: uuid.UUID
    version_id: uuid.UUID
    document_id: uuid.UUID
    number: str
    sha256: str
    size_bytes: int

    def name(self) -> str:
        return f"version {self.number} ({self.version_id}) of document {self.document_id}"


async def move_files(
    sessionmaker: async_sessionmaker[AsyncSession],
    stores: FileStores,
    to: FileStore,
    *,
    organisation_id: uuid.UUID | None = None,
    batch: int = 100,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> MoveReport:
    """Move every file not in ``to`` there (only ``organisation_id``'s, if given)."""
    if to == FileStore.S3:
        stores.object_store()  # refuse at once when no S3 store is configured
    report = MoveReport(to=to, dry_run=dry_run)
    after = uuid.UUID(int=0)
    while True:
        async with sessionmaker() as session:
            files = await _next_batch(session, to, organisation_id, after, batch)
        if not files:
            return report
        after = files[-1].version_id
        for file in files:
            if dry_run:
                report.moved += 1
                report.moved_bytes += file.size_bytes
                continue
            try:
                if to == FileStore.S3:
                    await _to_s3(sessionmaker, stores, file)
                else:
                    if not await _to_postgres(sessionmaker, stores, file):
                        key = stores.object_store().key(file.organisation_id, file.version_id)
                        report.left_behind.append(key)
            except FileStoreUnavailable as error:
                report.stopped = error.detail
                return report
            except FileDamaged as error:
                report.failed.append(f"{file.name()}: {error.detail}")
                say(f"not moved: {file.name()}: {error.detail}")
                continue
            report.moved += 1
            report.moved_bytes += file.size_bytes


async def _next_batch(
    session: AsyncSession,
    to: FileStore,
    organisation_id: uuid.UUID | None,
    after: uuid.UUID,
    batch: int,
) -> list[_File]:
    query = (
        select(
            VersionFile.organisation_id,
            VersionFile.version_id,
            DocumentVersion.document_id,
            DocumentVersion.major,
            DocumentVersion.minor,
            DocumentVersion.sha256,
            DocumentVersion.size_bytes,
        )
        .join(DocumentVersion, DocumentVersion.id == VersionFile.version_id)
        .where(VersionFile.store != to, VersionFile.version_id > after)
        .order_by(VersionFile.version_id)
        .limit(batch)
    )
    if organisation_id is not None:
        query = query.where(VersionFile.organisation_id == organisation_id)
    return [
        _File(
            r.organisation_id,
            r.version_id,
            r.document_id,
            f"{r.major}.{r.minor}",
            r.sha256,
            r.size_bytes,
        )
        for r in await session.execute(query)
    ]


async def _locked_store(session: AsyncSession, file: _File) -> FileStore:
    """The row's store, locked for this transaction: two runs at once move a file once."""
    store = await session.scalar(
        select(VersionFile.store).where(VersionFile.version_id == file.version_id).with_for_update()
    )
    if store is None:
        raise FileDamaged("its version_files row is gone")
    return FileStore(store)


def _verify(data: bytes, file: _File, where: str) -> None:
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise FileDamaged(
            f"the copy in {where} does not match the sha256 recorded at upload ({file.sha256}); "
            "it was left where it was"
        )


async def _to_s3(
    sessionmaker: async_sessionmaker[AsyncSession], stores: FileStores, file: _File
) -> None:
    s3 = stores.object_store()
    async with sessionmaker() as session, session.begin():
        if await _locked_store(session, file) == FileStore.S3:
            return  # moved meanwhile by another run
        data = await PostgresStore(session).get(file.organisation_id, file.version_id)
        _verify(data, file, "PostgreSQL")
        await s3.put(file.organisation_id, file.version_id, data, file.sha256)
        back = await s3.get(file.organisation_id, file.version_id)
        if hashlib.sha256(back).hexdigest() != file.sha256:
            await s3.delete(file.organisation_id, file.version_id)
            raise FileDamaged(
                "the copy read back from the S3 store does not match the sha256 recorded at "
                "upload; the file stays in PostgreSQL"
            )
        # The row points to the object and the bytes leave PostgreSQL, in one statement.
        await session.execute(
            update(VersionFile)
            .where(VersionFile.version_id == file.version_id)
            .values(store=FileStore.S3, content=None)
        )


async def _to_postgres(
    sessionmaker: async_sessionmaker[AsyncSession], stores: FileStores, file: _File
) -> bool:
    """Move one file into PostgreSQL; False if its object could not be deleted afterwards."""
    s3 = stores.object_store()
    async with sessionmaker() as session, session.begin():
        if await _locked_store(session, file) == FileStore.POSTGRES:
            return True
        data = await s3.get(file.organisation_id, file.version_id)
        _verify(data, file, "the S3 store")
        postgres = PostgresStore(session)
        await postgres.put(file.organisation_id, file.version_id, data, file.sha256)
        if await postgres.sha256(file.version_id) != file.sha256:
            raise FileDamaged(  # rolls back: the row still points to the object
                "the copy read back from PostgreSQL does not match the sha256 recorded at "
                "upload; the file stays in the S3 store"
            )
    # Committed: the row no longer names the object, so a failed delete only leaves an orphan.
    try:
        await s3.delete(file.organisation_id, file.version_id)
    except DomainError:
        return False
    return True


def move_files_command(to: str, slug: str | None, batch: int, dry_run: bool) -> int:
    """The command line's ``move-files``: exit 0 when every file is where it should be, 1 when
    a file could not be moved (each named on standard error), 3 when the S3 store could not be
    reached (what was moved stays moved; run it again)."""
    from services.domain.db import make_sessionmaker
    from services.domain.organisations import service as organisations
    from services.ops.database import command_engine

    settings = get_settings()
    target = FileStore(to)
    if batch < 1:
        raise Invalid("--batch must be at least 1")

    async def work() -> MoveReport:
        engine = command_engine(settings)
        try:
            sessions = make_sessionmaker(engine)
            organisation_id = None
            if slug is not None:
                async with sessions() as session:
                    organisation_id = (await organisations.get_by_slug(session, slug)).id
            return await move_files(
                sessions,
                stores_from(settings),
                target,
                organisation_id=organisation_id,
                batch=batch,
                dry_run=dry_run,
                say=lambda line: print(line, file=sys.stderr),
            )
        finally:
            await engine.dispose()

    report = asyncio.run(work())
    print(summary(report))
    if report.stopped:
        print(f"policygov move-files: stopped: {report.stopped}", file=sys.stderr)
        return 3
    return 1 if report.failed else 0


def summary(report: MoveReport) -> str:
    verb = "would move" if report.dry_run else "moved"
    line = f"{verb} {report.moved} file(s), {report.moved_bytes} bytes, to {report.to}"
    if report.failed:
        line += f"; {len(report.failed)} not moved (listed above, left where they were)"
    if report.left_behind:
        line += f"; {len(report.left_behind)} old object(s) could not be deleted: " + ", ".join(
            report.left_behind
        )
    return line + (" (dry run: nothing changed)" if report.dry_run else "")
