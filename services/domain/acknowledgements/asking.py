"""Asking people to read and acknowledge a version: by itself when a new whole version is
issued (a minor one when the document's audience says so), or when the policy team asks; the
ask before it ends (superseded), and one can be cancelled.

Cafcass 7.1: "all staff will be made aware of the launch of a new policy"; Birmingham 5:
"updates will be communicated via the 'news' section of Trix and the weekly email".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.acknowledgements import audience as audiences
from services.domain.acknowledgements import rules
from services.domain.acknowledgements.commands import Audience, NewAcknowledgementRequest
from services.domain.audit import changes as audit_changes
from services.domain.authz import acknowledgements as authz
from services.domain.authz.principal import Principal
from services.domain.boards.service import working_calendar
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementAudience,
    AcknowledgementReason,
    AcknowledgementRequest,
    AcknowledgementRequestStatus,
    AcknowledgementStatus,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.outbox.service import emit
from services.domain.pagination import before_row

MESSAGE_MAX = 2000
OPEN = AcknowledgementRequestStatus.OPEN
CONFIRMED = AcknowledgementStatus.CONFIRMED


async def ask_on_issue(
    session: AsyncSession, principal: Principal, document: Document, version: DocumentVersion
) -> AcknowledgementRequest | None:
    """A version was issued: its document's audience is asked if it is a new whole version
    (x.0), or a minor one the audience says to ask for; nothing when the document sets no
    audience."""
    setting = await session.get(AcknowledgementAudience, document.id)
    audience = audiences.audience_of(setting)
    if setting is None or audience.is_empty():
        return None
    if version.minor != 0 and not setting.ask_on_minor:
        return None
    org = await session.get(Organisation, document.organisation_id)
    assert org is not None
    days = setting.due_working_days or org.acknowledgement_due_working_days
    calendar = await working_calendar(session, document.organisation_id)
    due = rules.due_on(london_today(), days, calendar)
    return await _make(
        session, principal, document, version, audience, due, AcknowledgementReason.ISSUED, ""
    )


async def ask(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    command: NewAcknowledgementRequest,
) -> AcknowledgementRequest:
    """The policy team asks people to read and acknowledge a version in force (a minor version,
    a new audience, or again): the version in force unless named, the document's audience
    unless given, due in the document's (else the organisation's) working days unless dated."""
    authz.check_manage(principal)
    document = await get_document(session, principal, document_id, for_update=True)
    version = await _version_in_force(session, document, command.version_id)
    setting = await session.get(AcknowledgementAudience, document.id)
    audience = command.audience if command.audience is not None else audiences.audience_of(setting)
    if audience.is_empty():
        raise Invalid(
            "Name who is to read it (audience), or set the document's acknowledgement audience.",
            field="audience",
        )
    audience = await audiences.checked(session, principal.organisation_id, audience)
    if len(command.message) > MESSAGE_MAX:
        raise Invalid(f"At most {MESSAGE_MAX} characters.", field="message")
    due = command.due_on or await _default_due(session, document, setting)
    today = london_today()
    if not today < due <= today.replace(year=today.year + 1):
        raise Invalid("The due date is after today and within a year.", field="due_on")
    return await _make(
        session,
        principal,
        document,
        version,
        audience,
        due,
        AcknowledgementReason.ASKED,
        command.message.strip(),
    )


async def _default_due(
    session: AsyncSession, document: Document, setting: AcknowledgementAudience | None
) -> date:
    org = await session.get(Organisation, document.organisation_id)
    assert org is not None
    days = (setting.due_working_days if setting else None) or org.acknowledgement_due_working_days
    return rules.due_on(london_today(), days, await working_calendar(session, org.id))


async def _version_in_force(
    session: AsyncSession, document: Document, version_id: uuid.UUID | None
) -> DocumentVersion:
    if document.issued_version is None:
        raise Conflict(f"{document.reference} has no version issued: nothing to acknowledge yet.")
    major, _, minor = document.issued_version.partition(".")
    found = (
        await session.execute(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.major == int(major),
                DocumentVersion.minor == int(minor or 0),
            )
        )
    ).scalar_one()
    if version_id is not None and version_id != found.id:
        raise Conflict(
            f"Only the version in force ({document.issued_version}) is asked to be acknowledged.",
        )
    return found


async def _make(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    version: DocumentVersion,
    audience: Audience,
    due: date,
    reason: AcknowledgementReason,
    message: str,
) -> AcknowledgementRequest:
    people = await audiences.resolve(session, document.organisation_id, audience)
    kept = await _confirmed_before(session, version.id)
    await end_open_requests(
        session,
        principal,
        document.id,
        AcknowledgementRequestStatus.SUPERSEDED,
        f"Asked again for version {version.number}.",
    )
    request = AcknowledgementRequest(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        version_number=version.number,
        reason=reason,
        audience=audiences.as_record(audience),
        due_on=due,
        message=message,
        asked_by_id=principal.person_id,
    )
    session.add(request)
    await session.flush()
    session.add_all(_rows_for(request, people, kept))
    await session.flush()
    await audit_changes.record_change(session, principal, request, "acknowledgement.requested")
    await emit(
        session,
        events.AcknowledgementRequested(
            organisation_id=document.organisation_id,
            request_id=request.id,
            document_id=document.id,
            version_id=version.id,
            version=version.number,
            reason=reason.value,
            due_on=due,
            asked=len(people),
        ),
    )
    return request


def _rows_for(
    request: AcknowledgementRequest,
    people: list[Person],
    kept: dict[uuid.UUID, tuple[Any, str | None]],
) -> list[Acknowledgement]:
    """One row per person asked, with their team as it is now; who confirmed this very
    version in an earlier ask is not asked twice."""
    rows = []
    for person in people:
        earlier = kept.get(person.id)
        rows.append(
            Acknowledgement(
                organisation_id=request.organisation_id,
                request_id=request.id,
                person_id=person.id,
                service_area=person.service_area,
                job_title=person.job_title,
                status=CONFIRMED if earlier else AcknowledgementStatus.PENDING,
                acknowledged_at=earlier[0] if earlier else None,
                via=earlier[1] if earlier else None,
            )
        )
    return rows


async def _confirmed_before(
    session: AsyncSession, version_id: uuid.UUID
) -> dict[uuid.UUID, tuple[Any, str | None]]:
    rows = await session.execute(
        select(Acknowledgement.person_id, Acknowledgement.acknowledged_at, Acknowledgement.via)
        .join(AcknowledgementRequest, AcknowledgementRequest.id == Acknowledgement.request_id)
        .where(
            AcknowledgementRequest.version_id == version_id,
            Acknowledgement.status == AcknowledgementStatus.CONFIRMED,
        )
    )
    return {person_id: (at, via) for person_id, at, via in rows.all()}


async def end_open_requests(
    session: AsyncSession,
    principal: Principal | None,
    document_id: uuid.UUID,
    status: AcknowledgementRequestStatus,
    reason: str,
    *,
    version_id: uuid.UUID | None = None,
) -> list[AcknowledgementRequest]:
    """End a document's open asks (of one version, if named): those still pending are no
    longer asked, confirmations stay."""
    query = select(AcknowledgementRequest).where(
        AcknowledgementRequest.document_id == document_id,
        AcknowledgementRequest.status == OPEN,
    )
    if version_id is not None:
        query = query.where(AcknowledgementRequest.version_id == version_id)
    found = list((await session.execute(query.with_for_update())).scalars())
    for request in found:
        await _end(session, principal, request, status, reason)
    return found


async def _end(
    session: AsyncSession,
    principal: Principal | None,
    request: AcknowledgementRequest,
    status: AcknowledgementRequestStatus,
    reason: str,
) -> None:
    pending = list(
        (
            await session.execute(
                select(Acknowledgement).where(
                    Acknowledgement.request_id == request.id,
                    Acknowledgement.status == AcknowledgementStatus.PENDING,
                )
            )
        ).scalars()
    )
    for row in pending:
        row.status = AcknowledgementStatus.CANCELLED
    request.status = status
    request.ended_at = utcnow()
    request.ended_by_id = principal.person_id if principal is not None else None
    request.end_reason = reason
    await session.flush()
    await audit_changes.record_change(session, principal, request, f"acknowledgement.{status}")
    await emit(
        session,
        events.AcknowledgementRequestEnded(
            organisation_id=request.organisation_id,
            request_id=request.id,
            document_id=request.document_id,
            status=status.value,
            pending=len(pending),
        ),
    )


async def get_request(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, *, for_update: bool = False
) -> AcknowledgementRequest:
    """An ask of the caller's organisation; any other id is NotFound."""
    authz.check_read(principal)
    query = select(AcknowledgementRequest).where(
        AcknowledgementRequest.id == request_id,
        AcknowledgementRequest.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such acknowledgement request.")
    return found


async def list_requests(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    *,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[AcknowledgementRequest]:
    """A document's asks, newest first, every status (404 for a foreign document)."""
    authz.check_read(principal)
    document = await get_document(session, principal, document_id)
    query = select(AcknowledgementRequest).where(
        AcknowledgementRequest.organisation_id == principal.organisation_id,
        AcknowledgementRequest.document_id == document.id,
    )
    if before is not None:
        query = query.where(
            before_row(AcknowledgementRequest.created_at, AcknowledgementRequest.id, before)
        )
    query = query.order_by(
        AcknowledgementRequest.created_at.desc(), AcknowledgementRequest.id.desc()
    ).limit(limit)
    return list((await session.execute(query)).scalars())


async def cancel(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, reason: str
) -> AcknowledgementRequest:
    """The policy team takes an open ask back, saying why."""
    authz.check_manage(principal)
    request = await get_request(session, principal, request_id, for_update=True)
    if request.status != OPEN:
        raise Conflict(f"This request is already {request.status}.")
    if not reason.strip():
        raise Invalid("Say why it is cancelled.", field="reason")
    await _end(session, principal, request, AcknowledgementRequestStatus.CANCELLED, reason.strip())
    return request
