"""Pages about the workflows: a consultation (and its report), a meeting (and its papers), a
sign-off, an update cycle."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from services.domain.authz import consultations as consultation_authz
from services.domain.boards import agenda, meetings
from services.domain.boards import service as boards
from services.domain.calendar.words import long_datetime
from services.domain.clock import london_today
from services.domain.consultations import report as reports
from services.domain.consultations import report_formats
from services.domain.consultations import service as consultations
from services.domain.consultations.notice_context import POSITION_WORDS
from services.domain.consultations.responses import response_of
from services.domain.documents import versions
from services.domain.documents.service import get_document
from services.domain.errors import NotFound
from services.domain.models.meetings import AgendaItem
from services.domain.models.sign_off import SignOffStage
from services.domain.reviews.update_cycle_report import cycle_report
from services.domain.reviews.update_cycles import get_cycle
from services.domain.sign_off.decisions import decisions_of
from services.domain.sign_off.service import get_sign_off
from services.domain.sign_off.stages import stage_definition, stages_of
from services.domain.sign_off.voting import tally_for
from services.pages.records.opening import Opened, file_answer, page
from services.pages.records.register import name_of
from services.pages.routing import page_router

router = page_router()

# As the API serves the report (services/api/consultations/report_router.py): it shows what
# consultees typed, so it may load nothing; its styles are inline.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@page(router, "/consultations/{consultation_id:uuid}")
async def consultation_page(opened: Opened) -> Response:
    """A consultation: its draft, its status and closing, the counts so far, and the
    recipient's own response when they were consulted."""
    session = opened.session
    consultation = await consultations.get_consultation(
        session, opened.principal, opened.id("consultation_id")
    )
    consultee = await consultations.consultee_of(session, consultation, opened.link.person.id)
    report = await reports.build_report(session, consultation)
    return await opened.page(
        "consultation.html",
        f"Consultation: {consultation.title}",
        consultation=consultation,
        document=await consultations.document_of(session, consultation),
        counts=report.counts,
        version_number=report.version_number,
        is_consultee=consultee is not None,
        response=await response_of(session, consultee) if consultee else None,
        position_words=POSITION_WORDS,
    )


@page(router, "/consultations/{consultation_id:uuid}/report")
async def consultation_report_page(opened: Opened) -> Response:
    """The consultation report, as the API renders it (Cafcass 4.7)."""
    session, principal = opened.session, opened.principal
    consultation = await consultations.get_consultation(
        session, principal, opened.id("consultation_id")
    )
    document = await consultations.document_of(session, consultation)
    if not consultation_authz.can_read_responses(principal, document):
        raise NotFound("No such consultation.")
    report = await reports.build_report(session, consultation)
    return Response(
        report_formats.report_html(report),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_POLICY},
    )


@page(router, "/meetings/{meeting_id:uuid}")
async def meeting_page(opened: Opened) -> Response:
    """A meeting: its board, when and where, and its agenda with each paper to download."""
    session, principal = opened.session, opened.principal
    meeting = await meetings.get_meeting(session, principal, opened.id("meeting_id"))
    board = await boards.get_board(session, principal, meeting.board_id)
    items = await agenda.items_of(session, board, meeting)
    papers = {
        item.id: opened.file_link(f"/agenda-items/{item.id}/paper")
        for item in items
        if item.version_id is not None
    }
    title = f"{board.name}: {long_datetime(meeting.starts_at)}"
    return await opened.page(
        "meeting.html", title, meeting=meeting, board=board, items=items, papers=papers
    )


async def _meeting_of(session: AsyncSession, params: dict[str, Any]) -> list[str]:
    item = await session.get(AgendaItem, params["item_id"])
    return [] if item is None else [f"/meetings/{item.meeting_id}"]


@page(router, "/agenda-items/{item_id:uuid}/paper", more=_meeting_of)
async def paper_file(opened: Opened) -> Response:
    """An agenda item's paper: under its own link (an email's agenda) or its meeting's."""
    item = await agenda.get_item(opened.session, opened.principal, opened.id("item_id"))
    _, version = await agenda.paper(opened.session, opened.principal, item)
    return file_answer(version, await versions.read_file(opened.session, version))


@page(router, "/sign-offs/{sign_off_id:uuid}")
async def sign_off_page(opened: Opened) -> Response:
    """A sign-off: its stages in order, who decides each, and every decision so far."""
    session, principal = opened.session, opened.principal
    sign_off = await get_sign_off(session, principal, opened.id("sign_off_id"))
    document = await get_document(session, principal, sign_off.document_id)
    stages = await stages_of(session, sign_off.id)
    decisions = await decisions_of(session, sign_off.id)
    named = {p for stage in stages for p in stage.participants}
    named |= {d.decided_by_id for d in decisions if d.decided_by_id}
    names = {person_id: await name_of(session, person_id) for person_id in named}
    deciding = {b for stage in stages if (b := _board_of(stage))}
    board_names = {b: (await boards.get_board(session, principal, b)).name for b in deciding}
    return await opened.page(
        "sign_off.html",
        f"Sign-off of {document.reference} {document.title}",
        sign_off=sign_off,
        stages=stages,
        deciders={stage.id: _who_decides(stage, names, board_names) for stage in stages},
        decisions=decisions,
        names=names,
        tallies={
            stage.id: tally_for(stage, stage_definition(stage).decider, decisions)
            for stage in stages
            if stage.participants
        },
        today=london_today(),
    )


def _board_of(stage: SignOffStage) -> uuid.UUID | None:
    decider = stage.definition.get("decider") or {}
    return uuid.UUID(str(decider["board_id"])) if decider.get("kind") == "board" else None


def _who_decides(
    stage: SignOffStage, names: dict[uuid.UUID, str | None], board_names: dict[uuid.UUID, str]
) -> str:
    """Who decides a stage: the people asked once it has begun, else what its route says."""
    people = ", ".join(names.get(p) or "someone no longer named" for p in stage.participants)
    decider = stage.definition.get("decider") or {}
    board = _board_of(stage)
    if board is not None:
        return f"the {board_names[board]}" + (f" ({people})" if people else "")
    if people:
        return people
    if decider.get("kind") == "document_role":
        return f"the document's {str(decider['role']).replace('_', ' ')}"
    if decider.get("kind") == "post":
        return f"the holder of the post {decider['post']}"
    return "the people named when the stage begins"


@page(router, "/update-cycles/{cycle_id:uuid}")
async def update_cycle_page(opened: Opened) -> Response:
    """A Trix update cycle and its report: items per status and per assignee, carried over,
    and chapters that matched no document."""
    cycle = await get_cycle(opened.session, opened.principal, opened.id("cycle_id"))
    report = await cycle_report(opened.session, cycle)
    return await opened.page(
        "update_cycle.html", f"Update cycle: {cycle.name}", cycle=cycle, report=report
    )
