"""The papers that go with a draft to a board (Cafcass appendix 1, "Submit final draft to
Board": "the final draft version is submitted with a communications plan [...]. Copies of all
responses to the consultation should be included in the report to Board.").

For a draft on a meeting's agenda: the report of each closed consultation on it, or on an
earlier draft since the document was last issued (every response, as
``GET /v1/consultations/{id}/report.html`` renders it; named agreed or not yet agreed, Cafcass
4.7), and its communication plan as a CSV.
The papers pack (``services.domain.boards.papers``) adds them beside the paper, for whoever may
read the paper: the board deciding on the draft reads what was said about it.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.calendar.words import long_date
from services.domain.clock import closing_day
from services.domain.consultations.agreement import agreement_of
from services.domain.consultations.report import build_report
from services.domain.consultations.report_formats import report_html, safe_cell
from services.domain.gates.history import last_issue_before, shaped_by
from services.domain.launch.notices import channel_words
from services.domain.models.consultations import Consultation, ConsultationStatus
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.launch import CommunicationPlanItem
from services.domain.models.people import Person

PLAN_COLUMNS = ("Who is told", "How", "Planned for", "Sends it", "Sent on", "Note")


async def _plan_csv(session: AsyncSession, items: list[CommunicationPlanItem]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PLAN_COLUMNS)
    named = await session.execute(
        select(Person.id, Person.name).where(Person.id.in_([item.owner_id for item in items]))
    )
    senders = {person_id: name for person_id, name in named}
    for item in items:
        writer.writerow(
            safe_cell(value)
            for value in (
                item.audience,
                channel_words(item),
                long_date(item.planned_on),
                senders.get(item.owner_id, ""),
                long_date(item.sent_on) if item.sent_on else "",
                item.note,
            )
        )
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: spreadsheets read it as UTF-8


async def supporting_papers(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> list[tuple[str, bytes]]:
    """(name, content) of each paper that goes with ``version`` of ``document`` to a board."""
    last = await last_issue_before(session, document, version)
    shaped = list((await session.execute(shaped_by(document, version, last))).scalars())
    found: list[tuple[str, bytes]] = []
    consultations = (
        await session.execute(
            select(Consultation)
            .where(
                Consultation.document_id == document.id,
                Consultation.status == ConsultationStatus.CLOSED,
                Consultation.version_id.in_(shaped),
            )
            .order_by(Consultation.closes_at, Consultation.id)
        )
    ).scalars()
    for consultation in consultations:
        report = await build_report(session, consultation)
        day = closing_day(consultation.closes_at).isoformat()
        # Cafcass 4.7: agreed by the Policy Sponsor at CMT before it is shared at ECMT.
        agreed = await agreement_of(session, consultation.id) is not None
        state = "agreed" if agreed else "not yet agreed"
        name = f"consultation responses {day} ({state}).html"
        found.append((name, report_html(report).encode()))
    items = list(
        (
            await session.execute(
                select(CommunicationPlanItem)
                .where(
                    CommunicationPlanItem.organisation_id == document.organisation_id,
                    CommunicationPlanItem.version_id.in_(shaped),
                )
                .order_by(CommunicationPlanItem.planned_on, CommunicationPlanItem.id)
            )
        ).scalars()
    )
    if items:
        found.append(("communication plan.csv", await _plan_csv(session, items)))
    return found
