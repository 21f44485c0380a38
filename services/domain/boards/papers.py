"""The papers pack: a meeting's agenda and every paper on it, in one zip file.

Dorset 6: the chair circulates the agenda and papers at least 3 working days before the
meeting. Members print or read the pack offline; each file is named by its place on the agenda.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.agenda import items_of
from services.domain.boards.meetings import meeting_day
from services.domain.documents.versions import read_file
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.meetings import Meeting
from services.domain.text import printable

SECTION_TITLES = {
    "progress_report": "Progress report from the chair",
    "new_proposals_and_drafts": "New document proposals and drafts",
    "reviews_of_existing_documents": "Reviews of existing documents",
    "horizon_scanning": "Horizon scanning and future workstreams",
}
UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")


def section_title(name: str) -> str:
    return SECTION_TITLES.get(name) or name.replace("_", " ").capitalize()


def _safe(name: str) -> str:
    return UNSAFE.sub("-", name).strip(" .-")[:120] or "paper"


# The papers that go with a draft (name, content): the consultations' responses and the
# communication plan (services/domain/board_papers, a floor above this one, gives them).
Supporting = Callable[[AsyncSession, Document, DocumentVersion], Awaitable[list[tuple[str, bytes]]]]


async def papers_pack(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    meeting: Meeting,
    supporting: Supporting | None = None,
) -> bytes:
    """A zip of ``agenda.txt`` and the papers the caller may read, numbered as on the agenda,
    each followed by its ``supporting`` papers."""
    items = await items_of(session, board, meeting)
    # One line per entry, whatever a stored title holds (services/domain/text.py).
    lines = [
        printable(board.name, multiline=False),
        f"Meeting of {meeting_day(meeting):%A %d %B %Y}"
        + (f", {printable(meeting.location, multiline=False)}" if meeting.location else ""),
        "",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        number = 0
        for section_number, section in enumerate(
            [s for s in board.agenda_sections if any(i.section == s for i in items)]
            + sorted({i.section for i in items} - set(board.agenda_sections)),
            start=1,
        ):
            lines.append(f"{section_number}. {section_title(section)}")
            for position, item in enumerate((i for i in items if i.section == section), start=1):
                number += 1
                label = f"{section_number}.{position}"
                note = ""
                if item.document_id is not None and item.version_id is not None:
                    document = await session.get(Document, item.document_id)
                    version = await session.get(DocumentVersion, item.version_id)
                    if document is not None and version is not None:
                        if version.is_issued or await authz.can_read_paper(
                            session, principal, board, document
                        ):
                            extension = version.filename.rsplit(".", 1)[-1]
                            name = _safe(
                                f"{label} {document.reference} v{version.number}.{extension}"
                            )
                            pack.writestr(name, await read_file(session, version))
                            note = f"  (paper: {name})"
                            for extra, content in (
                                await supporting(session, document, version) if supporting else []
                            ):
                                extra_name = _safe(f"{label} {document.reference} {extra}")
                                pack.writestr(extra_name, content)
                                note += f"\n        with: {extra_name}"
                        else:
                            note = "  (paper not shown: you may not read this draft)"
                title = printable(item.title, multiline=False)
                lines.append(f"   {label} {title} [{item.ask.replace('_', ' ')}]{note}")
            lines.append("")
        if number == 0:
            lines.append("No items yet.")
        pack.writestr("agenda.txt", "\n".join(lines) + "\n")
    return buffer.getvalue()
