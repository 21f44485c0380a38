"""A document's acknowledgement audience: who it names, checked against the organisation, and
who that is today (active people only).

LBBD stage 10: "Cascade the newly approved policy/procedure by asking Team and/or Service
Managers to discuss this with staff"; NCT 2.2.4: "Ensure all staff they are responsible for
know how to access and use the Manual".
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.acknowledgements.commands import Audience, AudienceSetting
from services.domain.acknowledgements.rules import MAX_AUDIENCE, MAX_DUE_WORKING_DAYS
from services.domain.audit import changes as audit_changes
from services.domain.authz import acknowledgements as authz
from services.domain.authz.principal import Principal
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid
from services.domain.models.acknowledgements import AcknowledgementAudience
from services.domain.models.boards import Board, BoardMember
from services.domain.models.people import Person
from services.domain.people.service import require_active_people


def audience_of(row: AcknowledgementAudience | None) -> Audience:
    """The standing audience as a command (empty when the document sets none)."""
    if row is None:
        return Audience()
    return Audience(
        person_ids=list(row.person_ids),
        board_ids=list(row.board_ids),
        service_areas=list(row.service_areas),
        job_titles=list(row.job_titles),
    )


def as_record(audience: Audience) -> dict[str, Any]:
    """The audience as kept with a request (JSON)."""
    return {
        "person_ids": [str(i) for i in audience.person_ids],
        "board_ids": [str(i) for i in audience.board_ids],
        "service_areas": list(audience.service_areas),
        "job_titles": list(audience.job_titles),
    }


def _cleaned(names: list[str], field: str) -> list[str]:
    found: dict[str, str] = {}
    for name in names:
        text = name.strip()
        if not text:
            raise Invalid("A name cannot be blank.", field=field)
        found.setdefault(text.lower(), text)
    return list(found.values())


async def checked(
    session: AsyncSession, organisation_id: uuid.UUID, audience: Audience
) -> Audience:
    """The audience with its people and boards checked against the organisation (a foreign id
    answers like a missing one) and its names trimmed and de-duplicated."""
    people = list(dict.fromkeys(audience.person_ids))
    boards = list(dict.fromkeys(audience.board_ids))
    await require_active_people(session, organisation_id, [(p, "person_ids") for p in people])
    if boards:
        found = await session.execute(
            select(Board.id).where(Board.organisation_id == organisation_id, Board.id.in_(boards))
        )
        if len(set(found.scalars())) != len(boards):
            raise Invalid("No such board in this organisation.", field="board_ids")
    return Audience(
        person_ids=people,
        board_ids=boards,
        service_areas=_cleaned(audience.service_areas, "service_areas"),
        job_titles=_cleaned(audience.job_titles, "job_titles"),
    )


def _matches(audience: Audience) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if audience.person_ids:
        conditions.append(Person.id.in_(audience.person_ids))
    if audience.board_ids:
        members = select(BoardMember.person_id).where(BoardMember.board_id.in_(audience.board_ids))
        conditions.append(Person.id.in_(members))
    if audience.service_areas:
        areas = [a.lower() for a in audience.service_areas]
        conditions.append(func.lower(Person.service_area).in_(areas))
    if audience.job_titles:
        titles = [t.lower() for t in audience.job_titles]
        conditions.append(func.lower(Person.job_title).in_(titles))
    return or_(*conditions) if conditions else false()


async def resolve(
    session: AsyncSession, organisation_id: uuid.UUID, audience: Audience
) -> list[Person]:
    """The active people the audience names today, by name: the snapshot a request asks.
    Conflict beyond ``MAX_AUDIENCE`` people (ask by smaller groups)."""
    rows = await session.execute(
        select(Person)
        .where(
            Person.organisation_id == organisation_id,
            Person.is_active.is_(True),
            _matches(audience),
        )
        .order_by(Person.name, Person.id)
        .limit(MAX_AUDIENCE + 1)
    )
    people = list(rows.scalars())
    if len(people) > MAX_AUDIENCE:
        raise Conflict(
            f"The audience names more than {MAX_AUDIENCE} people: ask by smaller groups."
        )
    return people


async def get_audience(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> AcknowledgementAudience | None:
    """A document's standing audience, or None when it sets none (404 for a foreign document)."""
    document = await get_document(session, principal, document_id)
    authz.check_read_document(principal, document)
    return await session.get(AcknowledgementAudience, document.id)


async def set_audience(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, setting: AudienceSetting
) -> AcknowledgementAudience:
    """Set who a document asks to read and acknowledge each version it issues (the policy
    team); recorded in the document's audit trail."""
    authz.check_manage(principal)
    document = await get_document(session, principal, document_id, for_update=True)
    if setting.due_working_days is not None and not (
        1 <= setting.due_working_days <= MAX_DUE_WORKING_DAYS
    ):
        raise Invalid(
            f"Give between 1 and {MAX_DUE_WORKING_DAYS} working days.", field="due_working_days"
        )
    audience = await checked(session, principal.organisation_id, setting)
    row = await session.get(AcknowledgementAudience, document.id)
    before = None if row is None else _setting_record(row)
    if row is None:
        row = AcknowledgementAudience(
            organisation_id=document.organisation_id, document_id=document.id
        )
        session.add(row)
    row.person_ids = audience.person_ids
    row.board_ids = audience.board_ids
    row.service_areas = audience.service_areas
    row.job_titles = audience.job_titles
    row.due_working_days = setting.due_working_days
    row.ask_on_minor = setting.ask_on_minor
    row.updated_by_id = principal.person_id
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        document,
        "document.acknowledgement_audience_set",
        before=before,
        after=_setting_record(row),
    )
    return row


def _setting_record(row: AcknowledgementAudience) -> dict[str, Any]:
    return {
        **as_record(audience_of(row)),
        "due_working_days": row.due_working_days,
        "ask_on_minor": row.ask_on_minor,
    }
