"""The amendment pack of an update cycle or of a calendar month, rendered within bounds."""

from __future__ import annotations

import calendar
import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.amendment_packs.contents import (
    ItemNote,
    NotIssued,
    PackContents,
    PackLimits,
    changed_documents,
    organisation_name,
    reference_order,
    withdrawals,
)
from services.domain.amendment_packs.render import PackFormat, render_pack
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.calendar.words import MONTHS
from services.domain.clock import london_day, london_today, utcnow
from services.domain.heavy_work import HeavyLimits, run_bounded
from services.domain.models.documents import Document
from services.domain.models.reviews import UpdateCycle, UpdateCycleItem, UpdateCycleItemStatus
from services.domain.reviews.update_cycles import get_cycle, list_items

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES: dict[str, str] = {"html": "text/html; charset=utf-8", "docx": DOCX}
# NCT 3.4 a: what the RO agreed goes to Tri.x; rejected and carried-over items do not.
AGREED = (UpdateCycleItemStatus.ACCEPTED, UpdateCycleItemStatus.AMENDED)


@dataclass(frozen=True)
class RenderedPack:
    content: bytes
    media_type: str
    filename: str


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-")[:80] or "pack"


async def _render(contents: PackContents, fmt: PackFormat, heavy: HeavyLimits) -> RenderedPack:
    content = await run_bounded(render_pack, contents, fmt, limits=heavy)
    return RenderedPack(content, MEDIA_TYPES[fmt], f"{contents.filename_stem}.{fmt}")


def cycle_window(cycle: UpdateCycle, today: date) -> tuple[date, date]:
    """From the London day the Update Plan was opened to the day the cycle closed (or today,
    while it is open): the versions issued then are the cycle's amendments."""
    start = london_day(cycle.created_at)
    end = london_day(cycle.closed_at) if cycle.closed_at else today
    return start, max(start, end)


def _notes(items: list[UpdateCycleItem]) -> dict[uuid.UUID, tuple[ItemNote, ...]]:
    notes: dict[uuid.UUID, list[ItemNote]] = {}
    for item in items:
        if item.document_id is not None and item.status in AGREED:
            notes.setdefault(item.document_id, []).append(
                ItemNote(item.status.value, item.recommendation, item.outcome_note)
            )
    return {d: tuple(n) for d, n in notes.items()}


async def cycle_pack(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    fmt: PackFormat,
    limits: PackLimits,
    heavy: HeavyLimits,
) -> RenderedPack:
    """The pack of a Trix update cycle: the documents of the items the ROs accepted or
    amended, with the versions issued in the cycle's window; those agreed but not yet issued
    are listed on the front page."""
    authz.check_read_amendment_pack(principal)
    cycle = await get_cycle(session, principal, cycle_id)
    start, end = cycle_window(cycle, london_today())
    notes = _notes(await list_items(session, cycle))
    changed = await changed_documents(
        session, cycle.organisation_id, start, end, limits, only=list(notes), notes=notes
    )
    withdrawn = await withdrawals(session, cycle.organisation_id, start, end, only=list(notes))
    done = {c.reference for c in changed} | {w.reference for w in withdrawn}
    documents = [await session.get(Document, d) for d in notes]
    not_issued = sorted(
        (
            NotIssued(d.reference, d.title, d.status.value, notes[d.id])
            for d in documents
            if d is not None and d.reference not in done
        ),
        key=lambda n: reference_order(n.reference),
    )
    contents = PackContents(
        organisation=await organisation_name(session, cycle.organisation_id),
        heading=f"Update cycle: {cycle.name}",
        start=start,
        end=end,
        generated_at=utcnow(),
        filename_stem=f"amendment-pack-{_slug(cycle.name)}",
        changed=tuple(changed),
        withdrawn=tuple(withdrawn),
        not_issued=tuple(not_issued),
        submission_deadline=cycle.submission_deadline,
    )
    return await _render(contents, fmt, heavy)


async def month_pack(
    session: AsyncSession,
    principal: Principal,
    year: int,
    month: int,
    fmt: PackFormat,
    limits: PackLimits,
    heavy: HeavyLimits,
) -> RenderedPack:
    """The pack of a calendar month: every document with a version issued on a day of it, and
    the withdrawals made in it (London days)."""
    authz.check_read_amendment_pack(principal)
    organisation_id = principal.organisation_id
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    changed = await changed_documents(session, organisation_id, start, end, limits)
    contents = PackContents(
        organisation=await organisation_name(session, organisation_id),
        heading=f"Amendments issued in {MONTHS[month - 1]} {year}",
        start=start,
        end=end,
        generated_at=utcnow(),
        filename_stem=f"amendment-pack-{year:04d}-{month:02d}",
        changed=tuple(changed),
        withdrawn=tuple(await withdrawals(session, organisation_id, start, end)),
    )
    return await _render(contents, fmt, heavy)
