"""The document and version a request body names: another organisation's, or a version of
another document, is Invalid (422) naming the field, like one that does not exist. Shared by
every workflow whose records are about a document."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.documents.service import get_document
from services.domain.errors import Invalid, NotFound
from services.domain.models.documents import Document, DocumentVersion


async def document_named(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> Document:
    """The document a request body names; another organisation's is Invalid like a missing one."""
    try:
        return await get_document(session, principal, document_id)
    except NotFound:
        raise Invalid("No such document.", field="document_id") from None


async def version_named(
    session: AsyncSession, document: Document, version_id: uuid.UUID
) -> DocumentVersion:
    """A version of ``document`` by id; any other id is Invalid naming ``version_id``."""
    version = (
        await session.execute(
            select(DocumentVersion).where(
                DocumentVersion.id == version_id, DocumentVersion.document_id == document.id
            )
        )
    ).scalar_one_or_none()
    if version is None:
        raise Invalid("That is not a version of the document.", field="version_id")
    return version


async def document_and_version(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    version_id: uuid.UUID,
    check: Callable[[Document], None],
) -> tuple[Document, DocumentVersion]:
    """The document and version a new record is about, once ``check`` lets the caller work on
    the document (both named in the body: a missing or foreign one is Invalid)."""
    document = await document_named(session, principal, document_id)
    check(document)
    return document, await version_named(session, document, version_id)
