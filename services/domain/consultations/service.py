"""Consultations: reading them.

Who may run and see them is decided in ``services/domain/authz/consultations.py``: the
document's people and the policy team run them (``opening``, ``lifecycle``); consultees read the
consultation they are asked about and its draft, and nothing else of the document. Responses are
in ``responses``, external consultees' links in ``links``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.documents.service import get_document
from services.domain.errors import NotFound
from services.domain.models.consultations import (
    Consultation,
    ConsultationStatus,
    Consultee,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.pagination import after_position


async def consultee_of(
    session: AsyncSession, consultation: Consultation, person_id: uuid.UUID | None
) -> Consultee | None:
    if person_id is None:
        return None
    return (
        await session.execute(
            select(Consultee).where(
                Consultee.consultation_id == consultation.id, Consultee.person_id == person_id
            )
        )
    ).scalar_one_or_none()


async def get_consultation(
    session: AsyncSession,
    principal: Principal,
    consultation_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Consultation:
    """A consultation the caller runs, or is consulted on once it has opened."""
    query = select(Consultation).where(
        Consultation.id == consultation_id,
        Consultation.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    consultation = (await session.execute(query)).scalar_one_or_none()
    if consultation is None:
        raise NotFound("No such consultation.")
    document = await get_document(session, principal, consultation.document_id)
    if authz.can_read_responses(principal, document):
        return consultation
    is_consultee = await consultee_of(session, consultation, principal.person_id) is not None
    if authz.can_read(principal, consultation, document, is_consultee=is_consultee):
        return consultation
    raise NotFound("No such consultation.")


async def lock(session: AsyncSession, consultation: Consultation) -> None:
    """Take the consultation's row lock: a response and the close never cross."""
    await session.execute(
        select(Consultation.id).where(Consultation.id == consultation.id).with_for_update()
    )
    await session.refresh(consultation)


async def document_of(session: AsyncSession, consultation: Consultation) -> Document:
    document = await session.get(Document, consultation.document_id)
    assert document is not None  # the foreign key cascades
    return document


async def draft_of(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    *,
    with_text: bool = False,
) -> tuple[Document, DocumentVersion]:
    """The consulted draft: for the document's team, and for consultees once it has opened;
    ``with_text`` loads the text extracted from its file too."""
    document = await document_of(session, consultation)
    if not authz.can_read_responses(principal, document) and consultation.status not in (
        ConsultationStatus.OPEN,
        ConsultationStatus.CLOSED,
    ):
        raise NotFound("This consultation has no draft you may read.")
    version = await session.get(
        DocumentVersion,
        consultation.version_id,
        options=[undefer(DocumentVersion.text)] if with_text else None,
        populate_existing=with_text,  # a copy read before, without its text, is read again
    )
    assert version is not None  # versions are never deleted
    return document, version


async def list_consultations(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    status: ConsultationStatus | None = None,
    consulted: bool | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Consultation]:
    """Consultations the caller may see, oldest first; ``consulted``: those they are asked."""
    query = (
        select(Consultation)
        .join(Document, Document.id == Consultation.document_id)
        .where(Consultation.organisation_id == principal.organisation_id, authz.readable(principal))
    )
    if document_id is not None:
        query = query.where(Consultation.document_id == document_id)
    if status is not None:
        query = query.where(Consultation.status == status)
    if consulted is not None:
        mine = exists().where(
            Consultee.consultation_id == Consultation.id,
            Consultee.person_id == principal.person_id,
        )
        query = query.where(mine if consulted else ~mine)
    query = after_position(query, Consultation.created_at, Consultation.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def consultees_of(session: AsyncSession, consultation: Consultation) -> list[Consultee]:
    rows = await session.execute(
        select(Consultee)
        .where(Consultee.consultation_id == consultation.id)
        .order_by(Consultee.added_at, Consultee.name, Consultee.id)
    )
    return list(rows.scalars())


async def get_consultee(
    session: AsyncSession, consultation: Consultation, consultee_id: uuid.UUID
) -> Consultee:
    consultee = await session.get(Consultee, consultee_id)
    if consultee is None or consultee.consultation_id != consultation.id:
        raise NotFound("No such consultee of this consultation.")
    return consultee


def is_past_deadline(consultation: Consultation, now: datetime) -> bool:
    """Responses from now on are late: it closed, or its closing time passed (the sweep may
    not have run yet)."""
    return consultation.status == ConsultationStatus.CLOSED or now >= consultation.closes_at


def link_expires_at(consultation: Consultation, grace: timedelta) -> datetime:
    """An external link takes late responses for a while after the close, then expires."""
    return (consultation.closed_at or consultation.closes_at) + grace
