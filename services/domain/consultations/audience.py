"""Who a consultation asks: its audience at the opening, widened while it runs, and external
consultees' links, revoked or sent again.

People and external consultees are added when named; boards in the audience are expanded to
their members at the opening (Birmingham: the meeting's attendees), and someone asked by name
and through a board is one consultee.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.boards.service import members_of
from services.domain.clock import utcnow
from services.domain.consultations.commands import Audience
from services.domain.consultations.service import (
    consultee_of,
    consultees_of,
    document_of,
)
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.boards import Board
from services.domain.models.consultations import (
    Consultation,
    ConsultationStatus,
    Consultee,
)
from services.domain.models.people import Person
from services.domain.outbox.service import emit


async def add_audience(
    session: AsyncSession, consultation: Consultation, audience: Audience, now: datetime
) -> list[Consultee]:
    """Add people and external consultees now; boards now if open, else when it opens."""
    added: list[Consultee] = []
    for person_id in dict.fromkeys(audience.people):
        person = await session.get(Person, person_id)
        if person is None or person.organisation_id != consultation.organisation_id:
            raise Invalid("No such person in this organisation.", field="audience.people")
        if not person.is_active:
            raise Invalid(f"{person.name} is no longer active.", field="audience.people")
        found = await _add_person(session, consultation, person, None, now)
        if found:
            added.append(found)
    emails = {
        c.email.lower() for c in await consultees_of(session, consultation) if c.kind == "external"
    }
    for external in audience.external:
        if external.email.lower() in emails:
            continue
        emails.add(external.email.lower())
        consultee = Consultee(
            id=new_id(),
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            kind="external",
            name=external.name,
            email=external.email,
            represents=external.represents,
            added_at=now,
            invited_at=now if consultation.status == ConsultationStatus.OPEN else None,
        )
        session.add(consultee)
        added.append(consultee)
    boards = []
    for board_id in dict.fromkeys(audience.boards):
        board = await session.get(Board, board_id)
        if board is None or board.organisation_id != consultation.organisation_id:
            raise Invalid("No such board.", field="audience.boards")
        if not board.is_active:
            raise Invalid(f"{board.name} no longer meets.", field="audience.boards")
        boards.append(board)
    known = list(consultation.board_ids)
    consultation.board_ids = known + [str(b.id) for b in boards if str(b.id) not in known]
    if consultation.status == ConsultationStatus.OPEN:
        added += await expand_boards(session, consultation, [b.id for b in boards], now)
    await session.flush()
    return added


async def _add_person(
    session: AsyncSession,
    consultation: Consultation,
    person: Person,
    via_board_id: uuid.UUID | None,
    now: datetime,
) -> Consultee | None:
    """Add a person once (asked by name and through a board is one consultee)."""
    if await consultee_of(session, consultation, person.id) is not None:
        return None
    consultee = Consultee(
        id=new_id(),
        organisation_id=consultation.organisation_id,
        consultation_id=consultation.id,
        kind="person",
        person_id=person.id,
        name=person.name,
        email=person.email,
        via_board_id=via_board_id,
        added_at=now,
        invited_at=now if consultation.status == ConsultationStatus.OPEN else None,
    )
    session.add(consultee)
    await session.flush()
    return consultee


async def expand_boards(
    session: AsyncSession,
    consultation: Consultation,
    board_ids: Sequence[uuid.UUID],
    now: datetime,
) -> list[Consultee]:
    """The boards' members as they are now (Birmingham: the meeting's attendees)."""
    added = []
    for member in await members_of(session, board_ids):
        person = await session.get(Person, member.person_id)
        if person is None or not person.is_active:
            continue
        found = await _add_person(session, consultation, person, member.board_id, now)
        if found:
            added.append(found)
    return added


async def add_consultees(
    session: AsyncSession, principal: Principal, consultation: Consultation, audience: Audience
) -> list[Consultee]:
    """Widen the audience of a consultation not yet closed; new consultees are invited."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultation.status not in (ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN):
        raise Conflict(f"This consultation is {consultation.status}.")
    if audience.is_empty():
        raise Invalid("Name people, boards or external consultees to add.", field="audience")
    added = await add_audience(session, consultation, audience, utcnow())
    for consultee in added:
        await audit_changes.record_change(
            session,
            principal,
            consultation,
            "consultation.consultee_added",
            after={"consultee_id": str(consultee.id), "name": consultee.name},
        )
    if added and consultation.status == ConsultationStatus.OPEN:
        await _invite(session, consultation, added)
    return added


async def _invite(
    session: AsyncSession, consultation: Consultation, consultees: Sequence[Consultee]
) -> None:
    await emit(
        session,
        events.ConsultationConsulteesAdded(
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            document_id=consultation.document_id,
            consultee_ids=[c.id for c in consultees],
        ),
    )


async def revoke_link(
    session: AsyncSession, principal: Principal, consultation: Consultation, consultee: Consultee
) -> Consultee:
    """Withdraw an external consultee's link: it opens nothing from now on."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultee.kind != "external":
        raise Invalid("Only external consultees have links; people sign in.")
    consultee.link_version += 1
    consultee.link_revoked_at = utcnow()
    await session.flush()
    await _link_audit(session, principal, consultation, consultee, "consultation.link_revoked")
    return consultee


async def send_link(
    session: AsyncSession, principal: Principal, consultation: Consultation, consultee: Consultee
) -> Consultee:
    """Send an external consultee a new link (any earlier one stops working)."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultee.kind != "external":
        raise Invalid("Only external consultees have links; people sign in.")
    if consultation.status != ConsultationStatus.OPEN:
        raise Conflict(
            f"Links are sent while a consultation is open; this one is {consultation.status}."
        )
    consultee.link_version += 1
    consultee.link_revoked_at = None
    consultee.invited_at = utcnow()
    await session.flush()
    await _link_audit(session, principal, consultation, consultee, "consultation.link_sent")
    await _invite(session, consultation, [consultee])
    return consultee


async def _link_audit(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    consultee: Consultee,
    action: str,
) -> None:
    await audit_changes.record_change(
        session,
        principal,
        consultation,
        action,
        after={"consultee_id": str(consultee.id), "link_version": consultee.link_version},
    )
