"""The consultation report agreed (Cafcass 4.7): "At the close of a consultation it is the role
of the policy author to review all responses and compile a report to the policy owner and CMT
[...]. Once the report has been agreed by the Policy Sponsor at CMT the report can be shared at
ECMT."

Recorded once per closed consultation: who agreed it (the document's owner, the Policy Sponsor,
unless another is named), at which board and, when it was at a meeting, which one, on which
day. The owner records it, or the policy team for them. The report, the Board's papers and the
document's timeline then say it was agreed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.consultations.service import get_consultation
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.boards import Board
from services.domain.models.consultations import (
    ConsultationReportAgreement,
    ConsultationStatus,
)
from services.domain.models.meetings import Meeting, MeetingStatus
from services.domain.models.people import Person


@dataclass(frozen=True)
class ReportAgreed:
    board_id: uuid.UUID
    meeting_id: uuid.UUID | None = None
    agreed_by_id: uuid.UUID | None = None  # default: the document's owner
    agreed_on: date | None = None  # default: the meeting's day, else today
    note: str = ""


async def agreement_of(
    session: AsyncSession, consultation_id: uuid.UUID
) -> ConsultationReportAgreement | None:
    return (
        await session.execute(
            select(ConsultationReportAgreement).where(
                ConsultationReportAgreement.consultation_id == consultation_id
            )
        )
    ).scalar_one_or_none()


async def _checked(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    command: ReportAgreed,
    owner: uuid.UUID | None,
) -> tuple[uuid.UUID, date]:
    """Who agreed and on which day, once every id is the organisation's."""
    board = await session.get(Board, command.board_id)
    if board is None or board.organisation_id != organisation_id:
        raise Invalid("No such board in your organisation.", field="board_id")
    day = command.agreed_on
    if command.meeting_id is not None:
        meeting = await session.get(Meeting, command.meeting_id)
        if meeting is None or meeting.board_id != board.id:
            raise Invalid("No such meeting of that board.", field="meeting_id")
        if meeting.status != MeetingStatus.HELD and meeting.starts_at > utcnow():
            raise Invalid("That meeting has not happened yet.", field="meeting_id")
        day = day or meeting.starts_at.date()
    day = day or london_today()
    if day > london_today():
        raise Invalid("The report cannot be agreed on a day still to come.", field="agreed_on")
    agreed_by = command.agreed_by_id or owner
    person = await session.get(Person, agreed_by) if agreed_by else None
    if person is None or person.organisation_id != organisation_id:
        raise Invalid(
            "Name who agreed the report (agreed_by_id): the document has no owner.",
            field="agreed_by_id",
        )
    return person.id, day


async def agree_report(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID, command: ReportAgreed
) -> ConsultationReportAgreement:
    """Record that the closed consultation's report was agreed; once (409 after)."""
    consultation = await get_consultation(session, principal, consultation_id, for_update=True)
    document = await get_document(session, principal, consultation.document_id)
    authz.check_agree_report(principal, document)
    if consultation.status != ConsultationStatus.CLOSED:
        raise Conflict("Only a closed consultation's report can be agreed.")
    if await agreement_of(session, consultation.id) is not None:
        raise Conflict("This consultation's report has already been agreed.")
    agreed_by, day = await _checked(
        session, consultation.organisation_id, command, document.owner_id
    )
    agreement = ConsultationReportAgreement(
        id=new_id(),
        organisation_id=consultation.organisation_id,
        consultation_id=consultation.id,
        agreed_by_id=agreed_by,
        board_id=command.board_id,
        meeting_id=command.meeting_id,
        agreed_on=day,
        note=command.note,
        recorded_by_id=principal.person_id,
        recorded_at=utcnow(),
    )
    session.add(agreement)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict("This consultation's report has already been agreed.") from None
    await audit_changes.record_change(session, principal, agreement, "consultation.report_agreed")
    return agreement


async def get_agreement(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID
) -> ConsultationReportAgreement:
    consultation = await get_consultation(session, principal, consultation_id)
    found = await agreement_of(session, consultation.id)
    if found is None:
        raise NotFound("This consultation's report has not been agreed.")
    return found
