"""The template of a kind of document: Dorset PPP Group aim v, "Develop guidelines and
templates for the distinct types of governance document (policies, procedures, forms etc.)",
and "Dorset Council's policies must use the council's policy template".

A kind has at most one template: a file to start a draft from (any accepted type, as uploaded),
the guidelines for writing one, and the headings every draft of the kind must have. The
``template_followed`` gate checks a draft's text for those headings, so a route can hold a
draft that does not use its template.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.documents import text as texts
from services.domain.documents.kinds import get_kind
from services.domain.errors import Invalid, NotFound, PayloadTooLarge
from services.domain.models.documents import DocumentKind
from services.domain.models.templates import KindTemplate

MAX_HEADINGS = 30
# A heading line as drafts write it: "# Purpose", "1. Scope", "**Purpose:** To set out...".
_MARKS = re.compile(r"^[\s#*_>\-]*(?:\d+(?:\.\d+)*\.?\s*)?")


def _words(value: str) -> str:
    return " ".join(value.casefold().split())


def missing_headings(text: str, headings: Sequence[str]) -> list[str]:
    """Those of ``headings`` no line of ``text`` starts with (any case, after heading marks
    and numbering, followed by the line's end, a colon or emphasis)."""
    lines = [_words(_MARKS.sub("", line)) for line in text.splitlines()]

    def starts(line: str, wanted: str) -> bool:
        return line == wanted or (line.startswith(wanted) and line[len(wanted)] in ":*_ ")

    return [h for h in headings if not any(starts(line, _words(h)) for line in lines)]


def _clean_headings(headings: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(h.split()) for h in headings if h.strip()))
    if len(cleaned) > MAX_HEADINGS:
        raise Invalid(f"At most {MAX_HEADINGS} headings.", field="required_headings")
    return cleaned


async def template_of(session: AsyncSession, kind: DocumentKind) -> KindTemplate | None:
    return (
        await session.execute(select(KindTemplate).where(KindTemplate.kind_id == kind.id))
    ).scalar_one_or_none()


async def template_for_key(
    session: AsyncSession, organisation_id: uuid.UUID, key: str
) -> tuple[DocumentKind, KindTemplate] | None:
    """The organisation's kind with this key and its template, if it has one."""
    found = (
        await session.execute(
            select(DocumentKind, KindTemplate)
            .join(KindTemplate, KindTemplate.kind_id == DocumentKind.id)
            .where(DocumentKind.organisation_id == organisation_id, DocumentKind.key == key)
        )
    ).first()
    return (found[0], found[1]) if found else None


async def set_template(
    session: AsyncSession,
    principal: Principal,
    kind_id: uuid.UUID,
    *,
    filename: str,
    content: bytes,
    declared_media_type: str | None,
    guidelines: str,
    required_headings: Sequence[str],
    max_bytes: int,
) -> KindTemplate:
    """Set (or replace) a kind's template; the policy team."""
    authz.check_set_template(principal)
    kind = await get_kind(session, principal, kind_id)
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
    media_type = texts.detect_media_type(filename, content, declared_media_type)
    headings = _clean_headings(required_headings)
    found = await template_of(session, kind)
    before = audit.snapshot(found) if found is not None else None
    if found is None:
        found = KindTemplate(id=new_id(), organisation_id=kind.organisation_id, kind_id=kind.id)
        session.add(found)
    found.filename = re.sub(r"[\x00-\x1f\x7f]", "", filename)[:255] or "template"
    found.media_type, found.content = media_type, content
    found.size_bytes, found.sha256 = len(content), hashlib.sha256(content).hexdigest()
    found.guidelines, found.required_headings = guidelines, headings
    found.uploaded_by_id, found.uploaded_at = principal.person_id, utcnow()
    await session.flush()
    action = "document_kind.template_set" if before is None else "document_kind.template_replaced"
    await audit_changes.record_change(session, principal, found, action, before=before)
    return found


async def get_template(
    session: AsyncSession, principal: Principal, kind_id: uuid.UUID, *, with_file: bool = False
) -> KindTemplate:
    kind = await get_kind(session, principal, kind_id)
    query = select(KindTemplate).where(KindTemplate.kind_id == kind.id)
    if with_file:
        query = query.options(undefer(KindTemplate.content))
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("This kind of document has no template.")
    return found


async def remove_template(session: AsyncSession, principal: Principal, kind_id: uuid.UUID) -> None:
    authz.check_set_template(principal)
    found = await get_template(session, principal, kind_id)
    await audit_changes.record_change(
        session, principal, found, "document_kind.template_removed", after=None
    )
    await session.delete(found)
    await session.flush()
