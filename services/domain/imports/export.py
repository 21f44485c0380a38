"""The tracker as a spreadsheet (CSV or XLSX), with the columns the import reads, so an export
imports again cleanly."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.consultations.report_formats import safe_cell
from services.domain.documents import register_fields, search
from services.domain.imports.sheet import COLUMNS
from services.domain.models.people import Person
from services.domain.text import printable

PAGE = 1000
Row = list[Any]


async def tracker_rows(session: AsyncSession, principal: Principal) -> AsyncIterator[Row]:
    """One row per document the caller may list, by reference, read a page at a time."""
    people = await session.execute(
        select(Person.id, Person.email).where(Person.organisation_id == principal.organisation_id)
    )
    emails: dict[uuid.UUID, str] = {row[0]: row[1] for row in people}
    after: list[Any] | None = None
    while True:
        page, after = await search.list_documents(
            session, principal, search.DocumentFilters(), after=after, limit=PAGE
        )
        facts = await register_fields.register_facts(session, [d.id for d in page])
        for d in page:
            yield [
                d.reference,
                d.title,
                d.kind,
                d.service_area,
                _email(emails, d.responsible_officer_id),
                _email(emails, d.owner_id),
                d.last_reviewed_on,
                d.next_review_due,
                d.trix_url,
                d.approved_by,
                d.approved_on,
                facts[d.id].governing_reference,
                d.forms_aligned_on,
            ]
        for d in page:
            session.expunge(d)  # keep memory flat on a large register
        if after is None:
            return


def _email(emails: dict[uuid.UUID, str], person_id: uuid.UUID | None) -> str | None:
    return emails.get(person_id) if person_id is not None else None


def _csv_value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


async def tracker_csv(session: AsyncSession, principal: Principal) -> str:
    """The tracker as CSV, each cell safe to open in a spreadsheet (no formula runs)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for _, heading in COLUMNS])
    async for row in tracker_rows(session, principal):
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue()


async def tracker_xlsx(session: AsyncSession, principal: Principal) -> bytes:
    """The tracker as an XLSX workbook with real date cells; text never becomes a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tracker")
    sheet.append([heading for _, heading in COLUMNS])
    async for row in tracker_rows(session, principal):
        cells = []
        for value in row:
            if isinstance(value, str):
                value = printable(value)  # openpyxl refuses control characters
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
