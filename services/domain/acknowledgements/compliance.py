"""Compliance: who was asked, who has confirmed, who is late; per request, per document, and
per team (service area, job title or board), as JSON rows, CSV or XLSX.

Dorset aim xi: "Develop systems for monitoring the use of approved documents to provide CSLT
with assurance that governance is effective."
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.acknowledgements.counts import percent
from services.domain.authz import acknowledgements as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementRequest,
    AcknowledgementRequestStatus,
    AcknowledgementStatus,
)
from services.domain.models.boards import Board, BoardMember
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.pagination import after_row
from services.domain.text import printable

GroupBy = Literal["service_area", "job_title", "board"]
# No team: people with no service area or job title, or on no board.
NONE = "(none)"
EXPORT_MAX = 50_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Tally:
    """Counts of one group (a team, a request, a document)."""

    group: str
    asked: int
    confirmed: int
    pending: int
    overdue: int

    @property
    def percent(self) -> float | None:
        return percent(self.confirmed, self.asked)


def _rows(principal: Principal) -> Any:
    return (
        select(Acknowledgement, AcknowledgementRequest, Document, Person)
        .join(AcknowledgementRequest, AcknowledgementRequest.id == Acknowledgement.request_id)
        .join(Document, Document.id == AcknowledgementRequest.document_id)
        .join(Person, Person.id == Acknowledgement.person_id)
        .where(
            Acknowledgement.organisation_id == principal.organisation_id,
            Acknowledgement.status != AcknowledgementStatus.CANCELLED,
        )
    )


def _scope(query: Any, request_id: uuid.UUID | None, document_id: uuid.UUID | None) -> Any:
    if request_id is not None:
        return query.where(Acknowledgement.request_id == request_id)
    query = query.where(AcknowledgementRequest.status == AcknowledgementRequestStatus.OPEN)
    if document_id is not None:
        query = query.where(AcknowledgementRequest.document_id == document_id)
    return query


async def people_of(
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    status: AcknowledgementStatus | None = None,
    after: tuple[str, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[tuple[Acknowledgement, Person]]:
    """One request's people, by name, with their status (of every status, or one)."""
    authz.check_read(principal)
    query = select(Acknowledgement, Person).join(Person, Person.id == Acknowledgement.person_id)
    query = query.where(
        Acknowledgement.organisation_id == principal.organisation_id,
        Acknowledgement.request_id == request_id,
    )
    if status is not None:
        query = query.where(Acknowledgement.status == status)
    if after is not None:
        query = query.where(after_row(Person.name, Acknowledgement.id, after))
    query = query.order_by(Person.name, Acknowledgement.id).limit(limit)
    return [(a, p) for a, p in (await session.execute(query)).all()]


def _tally(group: str, rows: list[tuple[bool, bool]]) -> Tally:
    confirmed = sum(1 for done, _ in rows if done)
    overdue = sum(1 for done, late in rows if not done and late)
    return Tally(group, len(rows), confirmed, len(rows) - confirmed, overdue)


async def by_team(
    session: AsyncSession,
    principal: Principal,
    group_by: GroupBy,
    *,
    request_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
) -> tuple[Tally, list[Tally]]:
    """The total and one tally per team, largest first: of one request, of a document's open
    asks, or of every open ask in the organisation. Teams are as each person was when asked
    (service area, job title), or the boards they sit on now (one person may count on two)."""
    authz.check_read(principal)
    query = _scope(_rows(principal), request_id, document_id).limit(EXPORT_MAX)
    found = (await session.execute(query)).all()
    today = london_today()
    boards = await _boards_of(session, principal, [a.person_id for a, *_ in found])
    groups: dict[str, list[tuple[bool, bool]]] = {}
    every: list[tuple[bool, bool]] = []
    for ack, request, _, _ in found:
        mark = (ack.status == AcknowledgementStatus.CONFIRMED, request.due_on < today)
        every.append(mark)
        if group_by == "board":
            names = boards.get(ack.person_id) or [NONE]
        else:
            names = [getattr(ack, group_by) or NONE]
        for name in names:
            groups.setdefault(name, []).append(mark)
    teams = [_tally(name, marks) for name, marks in groups.items()]
    teams.sort(key=lambda t: (-t.asked, t.group))
    return _tally("total", every), teams


async def _boards_of(
    session: AsyncSession, principal: Principal, person_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not person_ids:
        return {}
    rows = await session.execute(
        select(BoardMember.person_id, Board.name)
        .join(Board, Board.id == BoardMember.board_id)
        .where(Board.organisation_id == principal.organisation_id)
        .order_by(Board.name)
    )
    wanted = set(person_ids)
    found: dict[uuid.UUID, list[str]] = {}
    for person_id, name in rows.all():
        if person_id in wanted:
            found.setdefault(person_id, []).append(name)
    return found


EXPORT_COLUMNS = (
    "Document",
    "Title",
    "Version",
    "Due",
    "Name",
    "Email",
    "Service area",
    "Job title",
    "Status",
    "Acknowledged at",
    "Via",
    "Reminders",
    "Escalated at",
    "Overdue",
)


async def export_rows(
    session: AsyncSession,
    principal: Principal,
    *,
    request_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
) -> list[list[Any]]:
    """One row per person asked (of a request, a document's open asks, or every open ask),
    by document and name, for CSV and XLSX (at most 50,000)."""
    authz.check_read(principal)
    query = _scope(_rows(principal), request_id, document_id)
    query = query.order_by(Document.reference, Person.name, Acknowledgement.id).limit(EXPORT_MAX)
    today = london_today()
    out: list[list[Any]] = []
    for ack, request, document, person in (await session.execute(query)).all():
        done = ack.status == AcknowledgementStatus.CONFIRMED
        out.append(
            [
                document.reference,
                document.title,
                request.version_number,
                request.due_on,
                person.name,
                person.email,
                ack.service_area,
                ack.job_title,
                ack.status.value,
                ack.acknowledged_at,
                ack.via,
                len(ack.reminders_sent),
                ack.escalated_at,
                "yes" if not done and request.due_on < today else "no",
            ]
        )
    return out


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = "" if value is None else printable(str(value))
    # Text never runs as a formula when the file is opened (CSV injection).
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def to_csv(header: list[str] | tuple[str, ...], rows: list[list[Any]]) -> str:
    """Rows as CSV (CRLF lines), every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(sheet_name: str, header: list[str] | tuple[str, ...], rows: list[list[Any]]) -> bytes:
    """Rows as an XLSX workbook (openpyxl, write-only, as the tracker export): dates as date
    cells, times in UTC without their zone, text never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)  # Excel has no time zones: UTC
            elif isinstance(value, str):
                value = printable(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tally_rows(teams: list[Tally]) -> list[list[Any]]:
    """Team tallies as rows for CSV and XLSX."""
    return [[t.group, t.asked, t.confirmed, t.pending, t.overdue, t.percent] for t in teams]


TALLY_COLUMNS = ("Team", "Asked", "Confirmed", "Pending", "Overdue", "Percent confirmed")
