"""The register of dis-applications as CSV (`/v1/dis-applications/export.csv`): what an auditor
asks for, one row per dis-application with its document, people and decision, each cell safe to
open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import london_day, london_today
from services.domain.consultations.report_formats import safe_cell
from services.domain.dis_applications import rules, service
from services.domain.models.dis_applications import DisApplication, DisApplicationStatus
from services.domain.models.documents import Document
from services.domain.models.people import Person

# An export is one request: beyond this many rows, page through the JSON register instead.
MAX_ROWS = 10_000
COLUMNS = (
    "Reference",
    "Title",
    "Part",
    "Applies to",
    "Status",
    "In force today",
    "Starts on",
    "Ends on",
    "Requested by",
    "Discussed with",
    "Reasons",
    "Risks",
    "Mitigation",
    "Decided by",
    "Decided on",
    "Decision note",
    "Ended on",
    "End reason",
)


def _day(moment: datetime | None) -> str:
    return london_day(moment).isoformat() if moment is not None else ""


async def _names(
    session: AsyncSession, principal: Principal, rows: list[DisApplication]
) -> tuple[dict[uuid.UUID, Document], dict[uuid.UUID, str]]:
    documents = await session.execute(
        select(Document).where(
            Document.organisation_id == principal.organisation_id,
            Document.id.in_({d.document_id for d in rows}),
        )
    )
    ids = {
        person_id
        for d in rows
        for person_id in (d.requested_by_id, d.discussed_with_id, d.decided_by_id)
        if person_id is not None
    }
    people = await session.execute(
        select(Person.id, Person.name).where(
            Person.organisation_id == principal.organisation_id, Person.id.in_(ids)
        )
    )
    return {d.id: d for d in documents.scalars()}, {pid: name for pid, name in people.all()}


async def register_csv(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    applies_to: str | None = None,
    status: DisApplicationStatus | None = None,
    in_force: bool = False,
    ending_by: date | None = None,
) -> str:
    """The register with the JSON list's filters, soonest end first, at most ``MAX_ROWS``."""
    rows = await service.list_dis_applications(
        session,
        principal,
        document_id=document_id,
        applies_to=applies_to,
        status=status,
        in_force=in_force,
        ending_by=ending_by,
        limit=MAX_ROWS,
    )
    documents, names = await _names(session, principal, rows)
    today = london_today()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for d in rows:
        document = documents[d.document_id]
        cells = (
            document.reference,
            document.title,
            d.section,
            d.applies_to,
            d.status,
            "yes" if rules.is_in_force(d, today) else "no",
            d.starts_on.isoformat(),
            d.ends_on.isoformat(),
            names.get(d.requested_by_id, ""),
            names.get(d.discussed_with_id, "") if d.discussed_with_id else "",
            d.reasons,
            d.risks,
            d.mitigation,
            names.get(d.decided_by_id, "") if d.decided_by_id else "",
            _day(d.decided_at),
            d.decision_note,
            _day(d.ended_at),
            d.end_reason,
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()
