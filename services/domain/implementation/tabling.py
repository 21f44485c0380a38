"""Reporting to the board: an implementation report put on a meeting's agenda as a paper, and
kept as it was tabled.

Cafcass 7.4: "A report on the level of policy compliance should be circulated amongst ECMT."
Dorset xi: monitoring "to provide CSLT with assurance that governance is effective". The
report becomes an agenda item for information (the board's forward plan places it, at its
next meeting by default), its notes summarise it and name the kept report, and the kept
report (``ImplementationReport``) is what the minutes and the next review can point to.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import monitoring as authz
from services.domain.authz.principal import Principal
from services.domain.boards.agenda import submit_item
from services.domain.boards.commands import NewAgendaItem
from services.domain.boards.meetings import meeting_day
from services.domain.boards.service import get_board
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.errors import NotFound
from services.domain.implementation.report import document_findings, organisation_report
from services.domain.models.boards import Board
from services.domain.models.documents import Document
from services.domain.models.meetings import AgendaItem, Meeting
from services.domain.models.monitoring import ImplementationReport
from services.domain.outbox.service import emit


def report_path(report_id: uuid.UUID) -> str:
    return f"/v1/implementation-reports/{report_id}"


def summary(content: dict[str, Any]) -> str:
    """One paragraph a board reads on the agenda: the actions, the uptake, the rest."""
    counts = content["counts"]
    parts = [
        f"Monitoring actions: {counts['open']} open ({counts['overdue']} overdue), "
        f"{counts['done']} done, {counts['cancelled']} cancelled."
    ]
    if content["scope"] == "document":
        uptake = content["uptake"]
        parts.append(
            "Acknowledgement uptake: not measured."
            if uptake is None
            else f"Acknowledgement uptake: {uptake['confirmed']} of {uptake['asked']} "
            f"({uptake['percent'] if uptake['percent'] is not None else 0}%)."
        )
        parts.append(
            f"Dis-applications in force: {len(content['dis_applications_in_force'])}; "
            f"open requests about it: {len(content['open_requests'])}."
        )
    else:
        parts.append(f"Documents reported: {len(content['documents'])}.")
    return " ".join(parts)


async def _content(
    session: AsyncSession, principal: Principal, document: Document | None
) -> tuple[dict[str, Any], str]:
    if document is not None:
        content = await document_findings(session, document)
        return content, f"Implementation report: {document.reference} {document.title}"
    content = await organisation_report(session, principal)
    return content, "Implementation report: documents in force"


async def table_report(
    session: AsyncSession,
    principal: Principal,
    board_id: uuid.UUID,
    *,
    document_id: uuid.UUID | None,
    meeting_id: uuid.UUID | None = None,
    notes: str = "",
) -> tuple[ImplementationReport, AgendaItem]:
    """Put the implementation report of a document (or, with no document, the organisation's)
    on a board meeting's agenda for information, and keep it as tabled."""
    document: Document | None = None
    if document_id is not None:
        document = await get_document(session, principal, document_id)
    authz.check_report(principal, document)
    board = await get_board(session, principal, board_id)
    content, title = await _content(session, principal, document)
    report_id = new_id()
    text = f"{summary(content)} The report as tabled: {report_path(report_id)}"
    if notes.strip():
        text = f"{notes.strip()}\n\n{text}"
    item, _placement = await submit_item(
        session,
        principal,
        board,
        NewAgendaItem(
            ask="information",
            meeting_id=meeting_id,
            document_id=document_id,
            title=title[:300],
            notes=text,
        ),
    )
    report = ImplementationReport(
        id=report_id,
        organisation_id=principal.organisation_id,
        document_id=document_id,
        agenda_item_id=item.id,
        board_id=board.id,
        meeting_id=item.meeting_id,
        content=content,
        tabled_by_id=principal.person_id,
        tabled_at=utcnow(),
    )
    session.add(report)
    await session.flush()
    await _record(session, principal, report)
    return report, item


async def _record(
    session: AsyncSession, principal: Principal, report: ImplementationReport
) -> None:
    # The content is kept on the row; the audit record says what was tabled where.
    audited = {
        "document_id": str(report.document_id) if report.document_id else None,
        "board_id": str(report.board_id),
        "meeting_id": str(report.meeting_id),
        "agenda_item_id": str(report.agenda_item_id),
        "counts": report.content["counts"],
    }
    await audit_changes.record_change(
        session, principal, report, "implementation_report.tabled", after=audited
    )
    await emit(
        session,
        events.ImplementationReportTabled(
            organisation_id=report.organisation_id,
            implementation_report_id=report.id,
            document_id=report.document_id,
            board_id=report.board_id,
            meeting_id=report.meeting_id,
            agenda_item_id=report.agenda_item_id,
        ),
    )


async def get_report(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> ImplementationReport:
    """A report as tabled, of the caller's organisation (any member of staff)."""
    authz.check_read(principal)
    found = (
        await session.execute(
            select(ImplementationReport).where(
                ImplementationReport.id == report_id,
                ImplementationReport.organisation_id == principal.organisation_id,
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("No such implementation report.")
    return found


async def last_tabled(
    session: AsyncSession, organisation_id: uuid.UUID, document_id: uuid.UUID
) -> ImplementationReport | None:
    """The latest report of the document tabled to a board, if any."""
    return (
        await session.execute(
            select(ImplementationReport)
            .where(
                ImplementationReport.organisation_id == organisation_id,
                ImplementationReport.document_id == document_id,
            )
            .order_by(ImplementationReport.tabled_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def where_tabled(session: AsyncSession, report: ImplementationReport) -> dict[str, Any]:
    """The board's name and the meeting's day (ISO) a kept report was tabled to."""
    board = await session.get(Board, report.board_id)
    meeting = await session.get(Meeting, report.meeting_id)
    return {
        "board_name": board.name if board is not None else "",
        "meeting_on": meeting_day(meeting).isoformat() if meeting is not None else None,
    }
