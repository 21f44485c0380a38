"""``policygov prune-files``: delete the objects of the S3 store that no row names.

An upload writes its object before its transaction commits; a transaction that then fails
leaves the object behind (as does a move to PostgreSQL whose delete failed). Nothing reads
such an object, but it costs space. Only objects older than a grace period are deleted, so an
upload still in its transaction is never touched, and only keys of the service's own shape
(``<prefix><organisation_id>/<version_id>``), so other things in a shared bucket are left.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import utcnow
from services.domain.db import in_chunks
from services.domain.documents.files import FileStores, stores_from
from services.domain.models.documents import FileStore, VersionFile
from services.domain.settings import get_settings

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY = re.compile(rf"^(?P<organisation>{_UUID})/(?P<version>{_UUID})$")


@dataclass
class PruneReport:
    orphans: list[str] = field(default_factory=list)
    dry_run: bool = False


async def prune_files(
    sessionmaker: async_sessionmaker[AsyncSession],
    stores: FileStores,
    *,
    older_than: timedelta,
    dry_run: bool = False,
) -> PruneReport:
    """Delete (or, dry, list) the objects older than ``older_than`` that no row points to."""
    s3 = stores.object_store()
    cutoff = utcnow() - older_than
    candidates: dict[uuid.UUID, str] = {}
    for key, written in await s3.listing():
        shape = _KEY.match(key.removeprefix(s3.prefix)) if key.startswith(s3.prefix) else None
        if shape is not None and written < cutoff:
            candidates[uuid.UUID(shape["version"])] = key
    named: set[uuid.UUID] = set()
    async with sessionmaker() as session:
        for chunk in in_chunks(list(candidates)):
            rows = await session.scalars(
                select(VersionFile.version_id).where(
                    VersionFile.version_id.in_(chunk), VersionFile.store == FileStore.S3
                )
            )
            named.update(rows)
    report = PruneReport(dry_run=dry_run)
    for version_id, key in sorted(candidates.items(), key=lambda item: item[1]):
        if version_id in named:
            continue
        if not dry_run:
            organisation_id = uuid.UUID(key.removeprefix(s3.prefix).split("/")[0])
            await s3.delete(organisation_id, version_id)
        report.orphans.append(key)
    return report


def prune_files_command(older_than_hours: float, dry_run: bool) -> int:
    """The command line's ``prune-files``: names each object deleted (or, dry, to delete)."""
    from services.domain.db import make_sessionmaker
    from services.ops.database import command_engine

    settings = get_settings()

    async def work() -> PruneReport:
        engine = command_engine(settings)
        try:
            return await prune_files(
                make_sessionmaker(engine),
                stores_from(settings),
                older_than=timedelta(hours=older_than_hours),
                dry_run=dry_run,
            )
        finally:
            await engine.dispose()

    report = asyncio.run(work())
    for key in report.orphans:
        print(key, file=sys.stderr)
    verb = "would delete" if dry_run else "deleted"
    print(f"{verb} {len(report.orphans)} object(s) that no version names")
    return 0
