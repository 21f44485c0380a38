"""Where a version's bytes live: in PostgreSQL (the default) or in an S3-compatible store.

Every version has one ``version_files`` row, and the row says where its bytes are (``store``):
in the row itself, or an object keyed ``<organisation_id>/<version_id>`` in the object store.
Reads follow the row, so both stores serve at once while files are moved between them
(``services/ops/files.py``); writes go to the store the settings name.

A session knows its stores: the process binds them to its session factory
(``session_info(settings)``); a session bound to none keeps every file in PostgreSQL.

The object is written before the transaction commits, so a row never names a missing object.
A transaction that then fails leaves an orphan object that no row names: harmless, and never
read (a new upload is a new version id).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.documents.s3 import S3Store
from services.domain.errors import FileDamaged, FileStoreUnavailable
from services.domain.models.documents import DocumentVersion, FileStore, VersionFile
from services.domain.settings import Settings

SESSION_KEY = "policygov.file_stores"


class Store(Protocol):
    """A place for version files: ``PostgresStore`` or ``S3Store``."""

    name: str

    async def put(
        self, organisation_id: uuid.UUID, version_id: uuid.UUID, data: bytes, sha256: str
    ) -> None: ...

    async def get(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> bytes: ...

    async def delete(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> None: ...

    async def exists(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> bool: ...


class PostgresStore:
    """The bytes in the ``version_files`` row itself, in the session's transaction."""

    name = "postgres"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(
        self, organisation_id: uuid.UUID, version_id: uuid.UUID, data: bytes, sha256: str
    ) -> None:
        """The row holds the bytes (made, or switched to PostgreSQL)."""
        await _point(self.session, organisation_id, version_id, FileStore.POSTGRES, data)

    async def get(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> bytes:
        content = await self.session.scalar(
            select(VersionFile.content).where(
                VersionFile.version_id == version_id, VersionFile.store == FileStore.POSTGRES
            )
        )
        if content is None:
            raise FileDamaged("The file of this version is not in PostgreSQL.")
        return content

    async def delete(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> None:
        """Nothing to do: the bytes leave the row when the row points elsewhere."""

    async def exists(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> bool:
        return bool(
            await self.session.scalar(
                select(func.count()).where(
                    VersionFile.version_id == version_id, VersionFile.store == FileStore.POSTGRES
                )
            )
        )

    async def sha256(self, version_id: uuid.UUID) -> str | None:
        """The hash of the bytes as PostgreSQL holds them (a read back without fetching them)."""
        digest = await self.session.scalar(
            select(func.encode(func.sha256(VersionFile.content), "hex")).where(
                VersionFile.version_id == version_id
            )
        )
        return str(digest) if digest is not None else None


@dataclass(frozen=True)
class FileStores:
    """The store new files go to, and the object store, when one is configured."""

    write_to: FileStore = FileStore.POSTGRES
    s3: S3Store | None = None

    def object_store(self) -> S3Store:
        if self.s3 is None:
            raise FileStoreUnavailable(
                "A file is in the S3 store, but no S3 store is configured: set "
                "POLICYGOV_S3_BUCKET (and POLICYGOV_S3_ENDPOINT_URL for MinIO)."
            )
        return self.s3


def stores_from(settings: Settings) -> FileStores:
    """The stores the settings describe (the object store only when a bucket is named)."""
    s3 = None
    if settings.s3_bucket:
        s3 = S3Store(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            timeout_seconds=settings.s3_timeout_seconds,
        )
    return FileStores(FileStore(settings.file_store), s3)


def session_info(settings: Settings) -> dict[str, Any]:
    """What a session factory carries so its sessions know the stores (``make_sessionmaker``)."""
    return {SESSION_KEY: stores_from(settings)}


def stores_of(session: AsyncSession) -> FileStores:
    stores = session.info.get(SESSION_KEY)
    return stores if isinstance(stores, FileStores) else FileStores()


def check(data: bytes, version: DocumentVersion, where: str) -> None:
    """FileDamaged unless ``data`` is the file recorded for ``version`` (its sha256)."""
    if hashlib.sha256(data).hexdigest() != version.sha256:
        raise FileDamaged(
            f"The file of version {version.number} in {where} does not match the hash recorded "
            "when it was uploaded: it has been altered or damaged. Restore it from a backup.",
        )


async def save_file(session: AsyncSession, version: DocumentVersion, data: bytes) -> None:
    """Keep ``data`` as ``version``'s file, in the store the settings name."""
    stores = stores_of(session)
    if stores.write_to == FileStore.S3:
        s3 = stores.object_store()
        await s3.put(version.organisation_id, version.id, data, version.sha256)
        await _point(session, version.organisation_id, version.id, FileStore.S3, None)
    else:
        await PostgresStore(session).put(version.organisation_id, version.id, data, version.sha256)


async def load_file(session: AsyncSession, version: DocumentVersion) -> bytes:
    """``version``'s file, from wherever it is; from the object store, checked against the
    hash recorded at upload (FileDamaged if it differs)."""
    row = (
        await session.execute(
            select(VersionFile.store, VersionFile.content).where(
                VersionFile.version_id == version.id
            )
        )
    ).one_or_none()
    if row is None:
        raise FileDamaged("The file of this version is missing.")
    if row.store == FileStore.POSTGRES:
        return bytes(row.content)
    data = await stores_of(session).object_store().get(version.organisation_id, version.id)
    check(data, version, "the object store")
    return data


async def _point(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    version_id: uuid.UUID,
    store: FileStore,
    content: bytes | None,
) -> None:
    """The version's row says ``store`` (with the bytes, for PostgreSQL), made or updated."""
    statement = insert(VersionFile).values(
        organisation_id=organisation_id, version_id=version_id, store=store, content=content
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[VersionFile.version_id],
            set_={"store": statement.excluded.store, "content": statement.excluded.content},
        )
    )
