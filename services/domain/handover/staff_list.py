"""A staff list import (CSV): who has left, by HR's list, and what they still hold.

The list names people by email, with a status ("left", "leaver", "inactive"; anything else is
a current member of staff) or a leaving date (on or before today, Europe/London, they have
left). A dry run says who would be marked as left and what each holds; applying marks them
inactive (``people.service.mark_left``: an audit record each) and tells the policy team once
(``people.left``). Nobody is added or changed otherwise: the directory keeps its own details.

A row that cannot be read (no email, a date that is not one) is listed and nothing is applied
until the list is put right; an email the directory does not know is listed and left alone.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import handover as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.errors import Invalid, PayloadTooLarge
from services.domain.handover.holdings import holdings_of
from services.domain.heavy_work import HeavyLimits, run_bounded
from services.domain.people.service import find_by_email, mark_left

# Bounds: a whole council's staff list fits (about 20,000 rows of five short columns).
MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 50_000
# At most this many leavers in one list (listing what each holds reads their holdings).
MAX_LEAVERS = 500
LEFT_WORDS = frozenset({"left", "leaver", "inactive", "leaving", "gone"})
HEADERS = {
    "email": ("email", "email address", "e-mail", "work email"),
    "name": ("name", "full name"),
    "status": ("status", "employment status"),
    "leaving_date": ("leaving date", "leaving_date", "left on", "end date", "date left"),
    "service_area": ("service area", "service_area", "team", "department"),
}


@dataclass(frozen=True)
class StaffRow:
    row: int
    email: str
    name: str
    status: str
    leaving_date: date | None


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str


@dataclass
class Leaver:
    row: int
    email: str
    person_id: uuid.UUID
    name: str
    already_inactive: bool
    holdings: dict[str, int] = field(default_factory=dict)
    more: list[str] = field(default_factory=list)


@dataclass
class StaffListReport:
    dry_run: bool
    rows: int
    leavers: list[Leaver] = field(default_factory=list)
    unknown: list[RowProblem] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    marked: int = 0


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    if "email" not in found or not {"status", "leaving_date"} & found.keys():
        raise Invalid(
            "A staff list has a header row naming an email column and a status or leaving "
            "date column.",
            field="file",
        )
    return found


def parse(content: bytes) -> tuple[list[StaffRow], list[RowProblem]]:
    """The rows of a staff list CSV (UTF-8, with or without a byte order mark), and those that
    cannot be read. Pure and bounded: run in a child process (``read``)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid("A staff list is a CSV file in UTF-8.", field="file") from error
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise Invalid("The staff list is empty.", field="file")
    columns = _columns(header)
    rows, problems = [], []
    for number, cells in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise PayloadTooLarge(f"A staff list has at most {MAX_ROWS} rows.")
        if not any(c.strip() for c in cells):
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            i = columns.get(key)
            return cells[i].strip()[:320] if i is not None and i < len(cells) else ""

        email = cell("email").lower()
        if "@" not in email:
            problems.append(RowProblem(number, "No email address."))
            continue
        try:
            leaving = _date(cell("leaving_date")) if cell("leaving_date") else None
        except ValueError:
            problems.append(RowProblem(number, "The leaving date is not a date (YYYY-MM-DD)."))
            continue
        rows.append(StaffRow(number, email, cell("name"), cell("status").lower(), leaving))
    return rows, problems


async def read(content: bytes, limits: HeavyLimits) -> tuple[list[StaffRow], list[RowProblem]]:
    """``parse`` off the event loop, within the heavy work's limits."""
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge(f"A staff list is at most {MAX_BYTES} bytes.")
    return await run_bounded(parse, content, limits=limits)


def has_left(row: StaffRow, today: date) -> bool:
    """A status that says so, or a leaving date on or before today."""
    return row.status in LEFT_WORDS or (row.leaving_date is not None and row.leaving_date <= today)


async def import_staff_list(
    session: AsyncSession,
    principal: Principal,
    rows: list[StaffRow],
    problems: list[RowProblem],
    *,
    dry_run: bool,
    filename: str,
) -> StaffListReport:
    """Who the list says has left and what they hold; unless a dry run, mark them as left."""
    authz.check_import_staff_list(principal)
    report = StaffListReport(dry_run=dry_run, rows=len(rows) + len(problems), problems=problems)
    today = london_today()
    leaving = [row for row in rows if has_left(row, today)]
    if len(leaving) > MAX_LEAVERS:
        raise Invalid(f"At most {MAX_LEAVERS} leavers in one staff list: split it.", field="file")
    found = []
    for row in leaving:
        person = await find_by_email(session, principal.organisation_id, row.email)
        if person is None:
            report.unknown.append(RowProblem(row.row, f"{row.email} is not in the directory."))
            continue
        held = await holdings_of(session, principal.organisation_id, person.id)
        leaver = Leaver(row.row, row.email, person.id, person.name, not person.is_active)
        leaver.holdings, leaver.more = held.counts(), held.more
        report.leavers.append(leaver)
        found.append(person)
    if dry_run:
        return report
    if problems:
        raise Invalid(
            f"{len(problems)} rows cannot be read, so nobody was marked as left: put them "
            "right and send the list again.",
            problems=[{"row": p.row, "message": p.message} for p in problems],
        )
    report.marked = len(await mark_left(session, principal, found, filename=filename))
    return report
