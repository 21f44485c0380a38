"""What the register shows about a document beyond its own row (Dorset's Asset List): the
document that governs it and whether its forms are aligned with the version in force.

Dorset, Procedure: "Every procedure should in principle be governed by a policy". The governing
document is the source of a ``governs`` link to this one; when several govern it, the first by
reference is shown (the links page lists them all).

Dorset, Forms: "the forms we use ... are aligned with their governing policies and procedures".
A document has forms when another document is linked ``form_for`` to it. Its forms are aligned
when the PPP Group confirmed so (``forms_aligned_on``) on or after the day the version in force
was approved (``approved_on``). A new issue through a sign-off sets ``approved_on`` to the day
it was approved and clears a confirmation dated that day or later (it was given for the version
before: sign_off/issue.py), so the forms are not aligned until the Group confirms again. A
document without forms has no answer (null).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.models.documents import Document, DocumentLink

GOVERNS = "governs"
FORM_FOR = "form_for"
_GOVERNOR = aliased(Document, name="governor")


def governing_reference() -> ColumnElement[str | None]:
    """The reference of the first document (by reference) that governs ``Document``."""
    return (
        select(func.min(_GOVERNOR.reference))
        .join(DocumentLink, DocumentLink.source_id == _GOVERNOR.id)
        .where(DocumentLink.target_id == Document.id, DocumentLink.kind == GOVERNS)
        .correlate(Document)
        .scalar_subquery()
    )


def has_forms() -> ColumnElement[bool]:
    """Some document is linked ``form_for`` to ``Document``."""
    return exists().where(DocumentLink.target_id == Document.id, DocumentLink.kind == FORM_FOR)


def is_confirmed() -> ColumnElement[bool]:
    """The PPP Group's confirmation holds for the version approved on ``approved_on``."""
    return and_(
        Document.forms_aligned_on.is_not(None),
        or_(Document.approved_on.is_(None), Document.forms_aligned_on >= Document.approved_on),
    )


def forms_aligned() -> ColumnElement[bool | None]:
    """True, false, or null for a document without forms."""
    return case((~has_forms(), None), (is_confirmed(), True), else_=False)


def forms_aligned_condition(aligned: bool) -> ColumnElement[bool]:
    """The tracker's ``forms_aligned`` filter: documents with forms, aligned or not."""
    return and_(has_forms(), is_confirmed() if aligned else ~is_confirmed())


@dataclass(frozen=True)
class RegisterFacts:
    governing_reference: str | None
    forms_aligned: bool | None


async def register_facts(
    session: AsyncSession, document_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, RegisterFacts]:
    """The governing document and the forms' alignment of each document, in one query."""
    if not document_ids:
        return {}
    rows = await session.execute(
        select(Document.id, governing_reference(), forms_aligned()).where(
            Document.id.in_(list(document_ids))
        )
    )
    return {row[0]: RegisterFacts(row[1], row[2]) for row in rows}
