"""A person confirms they have read and understood a version: signed in, or through the signed
link in their email with no account (the pages another part builds call ``open_by_token`` and
``confirm_by_token``).

The link's token is the acknowledgement's id and an HMAC of it under the service's secret: it
is signed when the email is written and never stored. It opens that one acknowledgement and
nothing else; once its ask has ended (superseded or cancelled) it still opens, to say so, but
confirms nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import acknowledgements as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import Conflict, NotFound
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementRequest,
    AcknowledgementRequestStatus,
    AcknowledgementStatus,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.people import Person
from services.domain.outbox.service import emit
from services.domain.pagination import after_row
from services.domain.tokens import Keyring


@dataclass(frozen=True)
class AcknowledgementView:
    """What a person is asked to acknowledge, for a page or an API answer."""

    acknowledgement: Acknowledgement
    request: AcknowledgementRequest
    document: Document
    person_name: str

    @property
    def is_open(self) -> bool:
        """Still asked: the request is open (a confirmation can be recorded)."""
        return self.request.status == AcknowledgementRequestStatus.OPEN


def _message(acknowledgement_id: uuid.UUID) -> str:
    return f"acknowledgement-link:{acknowledgement_id}"


def link_token(keyring: Keyring, acknowledgement_id: uuid.UUID) -> str:
    """The token of a person's acknowledgement link, signed with the current key."""
    return f"{acknowledgement_id.hex}.{keyring.sign(_message(acknowledgement_id))}"


async def _view(session: AsyncSession, row: Acknowledgement) -> AcknowledgementView:
    request = await session.get(AcknowledgementRequest, row.request_id)
    assert request is not None  # the foreign key holds it
    document = await session.get(Document, request.document_id)
    person = await session.get(Person, row.person_id)
    assert document is not None and person is not None
    return AcknowledgementView(row, request, document, person.name)


async def _by_token(
    session: AsyncSession, keyring: Keyring, token: str, *, for_update: bool = False
) -> Acknowledgement:
    given_hex, _, signature = token.partition(".")
    try:
        acknowledgement_id = uuid.UUID(hex=given_hex)
    except ValueError:
        raise NotFound("No such acknowledgement link.") from None
    if not keyring.verify(_message(acknowledgement_id), signature):
        raise NotFound("No such acknowledgement link.")
    query = select(Acknowledgement).where(Acknowledgement.id == acknowledgement_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("No such acknowledgement link.")
    return row


async def open_by_token(session: AsyncSession, keyring: Keyring, token: str) -> AcknowledgementView:
    """What a link opens: the person's acknowledgement, its request and document. NotFound for
    a token that is not ours (a wrong signature says nothing about anyone)."""
    return await _view(session, await _by_token(session, keyring, token))


async def version_by_token(session: AsyncSession, keyring: Keyring, token: str) -> DocumentVersion:
    """The version a link asks its person to read (what the page lets them download)."""
    row = await _by_token(session, keyring, token)
    request = await session.get(AcknowledgementRequest, row.request_id)
    assert request is not None
    version = await session.get(DocumentVersion, request.version_id)
    assert version is not None
    return version


async def confirm_by_token(
    session: AsyncSession, keyring: Keyring, token: str
) -> AcknowledgementView:
    """Confirm through the link: the same as signing in and confirming, recorded as by link.
    Confirming again changes nothing; Conflict once the ask has ended."""
    row = await _by_token(session, keyring, token, for_update=True)
    person = await session.get(Person, row.person_id)
    assert person is not None
    principal = Principal(
        organisation_id=row.organisation_id,
        person_id=None,
        roles=frozenset(),
        label=f"acknowledgement link of {person.email}",
    )
    await _record(session, principal, row, "link")
    return await _view(session, row)


async def confirm(
    session: AsyncSession, principal: Principal, acknowledgement_id: uuid.UUID
) -> AcknowledgementView:
    """The signed-in person confirms their own acknowledgement (anyone else's id is
    NotFound). Confirming again changes nothing; Conflict once the ask has ended."""
    row = (
        await session.execute(
            select(Acknowledgement)
            .where(
                Acknowledgement.id == acknowledgement_id,
                Acknowledgement.organisation_id == principal.organisation_id,
                Acknowledgement.person_id == principal.person_id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("No such acknowledgement.")
    authz.check_confirm(principal, row)
    await _record(session, principal, row, "api")
    return await _view(session, row)


async def _record(
    session: AsyncSession,
    principal: Principal,
    row: Acknowledgement,
    via: Literal["api", "link"],
) -> None:
    if row.status == AcknowledgementStatus.CONFIRMED:
        return
    if row.status == AcknowledgementStatus.CANCELLED:
        raise Conflict(
            "This is no longer asked: a newer version was asked for, or the ask was cancelled."
        )
    row.status = AcknowledgementStatus.CONFIRMED
    row.acknowledged_at = utcnow()
    row.via = via
    await session.flush()
    await audit_changes.record_change(session, principal, row, "acknowledgement.confirmed")
    request = await session.get(AcknowledgementRequest, row.request_id)
    assert request is not None
    await emit(
        session,
        events.AcknowledgementConfirmed(
            organisation_id=row.organisation_id,
            acknowledgement_id=row.id,
            request_id=row.request_id,
            document_id=request.document_id,
            person_id=row.person_id,
            via=via,
        ),
    )


async def mine(
    session: AsyncSession,
    principal: Principal,
    *,
    status: AcknowledgementStatus | None = AcknowledgementStatus.PENDING,
    after: tuple[object, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[tuple[Acknowledgement, AcknowledgementRequest, Document]]:
    """What the signed-in person is asked to acknowledge (pending by default), soonest due
    first."""
    query = (
        select(Acknowledgement, AcknowledgementRequest, Document)
        .join(AcknowledgementRequest, AcknowledgementRequest.id == Acknowledgement.request_id)
        .join(Document, Document.id == AcknowledgementRequest.document_id)
        .where(
            Acknowledgement.organisation_id == principal.organisation_id,
            Acknowledgement.person_id == principal.person_id,
        )
    )
    if status is not None:
        query = query.where(Acknowledgement.status == status)
    if after is not None:
        query = query.where(after_row(AcknowledgementRequest.due_on, Acknowledgement.id, after))
    query = query.order_by(AcknowledgementRequest.due_on, Acknowledgement.id).limit(limit)
    return [(a, r, d) for a, r, d in (await session.execute(query)).all()]
