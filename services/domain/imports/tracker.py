"""Moving in: an organisation's existing review tracker imported into the register.

Every row and column is checked before anything is written, and every problem is reported; one
problem and nothing is imported. Documents are created and updated through the register's own
functions, so their audit records, events and search text are the same as through the API.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from openpyxl.utils.datetime import from_excel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import reviews as reviews_authz
from services.domain.authz.principal import Principal
from services.domain.consultations.report_formats import FORMULA_STARTS
from services.domain.db import in_chunks
from services.domain.documents import service as documents
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.errors import Invalid
from services.domain.imports.sheet import REQUIRED, Problem, Sheet
from services.domain.models.documents import IN_FORCE, Document, DocumentKind
from services.domain.models.people import Person
from services.domain.organisations.words import words_for
from services.domain.outbox.service import emit

Action = Literal["create", "update", "unchanged"]
# Columns of the file and the document field each one sets.
FIELD_OF = {
    "title": "title",
    "kind": "kind",
    "service_area": "service_area",
    "ro_email": "responsible_officer_id",
    "rsm_email": "owner_id",
    "last_reviewed": "last_reviewed_on",
    "next_review_due": "next_review_due",
    "trix_url": "trix_url",
}
MAX_LENGTHS = {"title": 300, "service_area": 200, "trix_url": 2000}
# Any other cell the import reads (an email, a date, a kind) is far shorter than this.
MAX_CELL = 2000
# Checking is plain Python; hand the event loop back this often so other requests go on.
YIELD_EVERY_ROWS = 500
UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+)?$")
# Documents created in one go; each batch is a few statements, whatever its size.
IMPORT_BATCH = 1000


class Progress(Protocol):
    """Told how far the import has gone (the CLI draws a progress bar with it)."""

    def start(self, phase: str, total: int) -> None: ...

    def advance(self, rows: int = 1) -> None: ...


@dataclass(frozen=True)
class RowAction:
    row: int
    reference: str
    action: Action
    changed: list[str]


@dataclass
class ImportReport:
    dry_run: bool
    rows: int
    actions: list[RowAction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for a in self.actions if a.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class TrackerRejected(Invalid):
    """The file has problems, so nothing was imported; ``problems`` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"The tracker has {len(report.problems)} problem(s); nothing was imported.",
            problems=[asdict(p) for p in report.problems],
        )
        self.report = report


@dataclass
class _Planned:
    row: int
    reference: str
    document: Document | None
    values: dict[str, Any]


# --- cells -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: whole numbers without '.0', and the quote our CSV export puts before a
    cell a spreadsheet would run as a formula taken off again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def parse_date(value: Any) -> date:
    """An ISO or UK (dd/mm/yyyy) date, or an Excel date cell; ValueError if it is none of them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell Excel lost the format of: a serial day number (1954 to 2119, so a stray
        # year or count is not taken for a date).
        if not 20000 <= value < 80000:
            raise ValueError
        converted = from_excel(value)
        if isinstance(converted, datetime):
            return converted.date()
        raise ValueError
    text = _text(value)
    if match := ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := UK_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError
    return date(year, month, day)


def _is_web_address(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


# --- what the organisation has, read once --------------------------------------------------------


async def _people_by_email(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, Person]:
    rows = await session.execute(select(Person).where(Person.organisation_id == organisation_id))
    return {p.email: p for p in rows.scalars()}


async def _kinds(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, DocumentKind]:
    """Kinds by key and by label, lower case: trackers say "Procedure" as often as "procedure"."""
    rows = await session.execute(
        select(DocumentKind).where(DocumentKind.organisation_id == organisation_id)
    )
    found: dict[str, DocumentKind] = {}
    for kind in rows.scalars():
        found.setdefault(kind.label.strip().lower(), kind)
        found[kind.key.lower()] = kind
    return found


async def _existing(
    session: AsyncSession, organisation_id: uuid.UUID, references: Sequence[str]
) -> dict[str, Document]:
    found: dict[str, Document] = {}
    unique = sorted(set(references))
    for chunk in in_chunks(unique):
        rows = await session.execute(
            select(Document).where(
                Document.organisation_id == organisation_id,
                Document.reference.in_(chunk),
            )
        )
        found.update({d.reference: d for d in rows.scalars()})
    return found


# --- checking ----------------------------------------------------------------------------------


async def _plan(
    session: AsyncSession, principal: Principal, sheet: Sheet, progress: Progress | None
) -> tuple[list[_Planned], list[Problem]]:
    organisation_id = principal.organisation_id
    problems = list(sheet.problems)
    if not set(REQUIRED) <= sheet.fields.keys():
        # Without the required columns every row would repeat the same problem.
        return [], problems
    people = await _people_by_email(session, organisation_id)
    kinds = await _kinds(session, organisation_id)
    owner = (await words_for(session, organisation_id)).owner
    references = [_text(sheet.cell(cells, "reference")) for _, cells in sheet.rows]
    # Only well-formed references are looked up: one with a NUL would make PostgreSQL refuse
    # the whole query (it was a 500); every other row reports its reference as a problem.
    well_formed = [r for r in references if documents.REFERENCE.match(r)]
    existing = await _existing(session, organisation_id, well_formed)
    first_row: dict[str, int] = {}
    planned: list[_Planned] = []
    if progress:
        progress.start("checking", len(sheet.rows))
    for n, ((row, cells), reference) in enumerate(zip(sheet.rows, references, strict=True)):
        if n % YIELD_EVERY_ROWS == YIELD_EVERY_ROWS - 1:
            await asyncio.sleep(0)
        found: list[Problem] = []

        def problem(name: str, message: str, row: int = row, found: list[Problem] = found) -> None:
            found.append(Problem(row, sheet.heading(name), message))

        values: dict[str, Any] = {}
        if not reference:
            problem("reference", "A reference is required.")
        elif not documents.REFERENCE.match(reference):
            problem("reference", "A reference is 1-40 letters, digits, '.', '_', '/' or '-'.")
        elif reference in first_row:
            problem("reference", f"{reference} is also on row {first_row[reference]}.")
        else:
            first_row[reference] = row
        document = existing.get(reference)
        for name in FIELD_OF.keys() & sheet.fields.keys():
            raw = sheet.cell(cells, name)
            text = _text(raw)
            value: Any = text or None
            if "\x00" in text:
                problem(name, "The cell holds a NUL character.")
                continue
            if len(text) > MAX_LENGTHS.get(name, MAX_CELL):
                problem(name, f"At most {MAX_LENGTHS.get(name, MAX_CELL)} characters.")
                continue
            if name == "title" and not text:
                problem(name, "A title is required.")
                continue
            if name == "kind":
                kind = kinds.get(text.lower()) if text else None
                if not text:
                    problem(name, "A kind is required.")
                    continue
                if kind is None or not kind.is_active:
                    problem(name, f"{text!r} is not a document kind of this organisation.")
                    continue
                value = kind.key
            elif name in ("ro_email", "rsm_email") and text:
                person = people.get(text.lower())
                if person is None:
                    problem(name, f"No one with the email {text} in this organisation.")
                    continue
                if not person.is_active:
                    problem(name, f"{person.name} ({text}) is no longer active.")
                    continue
                value = person.id
            elif name in ("last_reviewed", "next_review_due") and text:
                try:
                    value = parse_date(raw)
                except ValueError:
                    problem(name, f"{text!r} is not a date (use 2026-03-31 or 31/03/2026).")
                    continue
            elif name == "trix_url" and text and not _is_web_address(text):
                problem(name, "A Trix URL is a web address starting https:// or http://.")
                continue
            values[FIELD_OF[name]] = value
        _check_row(sheet, row, values, document, kinds, found, owner)
        problems.extend(found)
        if not found:
            planned.append(_Planned(row, reference, document, values))
        if progress:
            progress.advance()
    return planned, problems


def _check_row(
    sheet: Sheet,
    row: int,
    values: dict[str, Any],
    document: Document | None,
    kinds: dict[str, DocumentKind],
    found: list[Problem],
    owner: str = "owner",
) -> None:
    """Rules across columns, with what the file leaves out taken from the register; ``owner``
    is what the organisation calls a document's owner."""

    def current(name: str) -> Any:
        if name in values:
            return values[name]
        return getattr(document, name) if document is not None else None

    kind = kinds.get(str(current("kind") or "").lower())
    if kind is not None and kind.requires_owner and current("owner_id") is None:
        # NCT: a procedure always has a Responsible Strategic Manager.
        found.append(
            Problem(row, sheet.heading("rsm_email"), f"A {kind.label.lower()} needs its {owner}.")
        )
    last, due = current("last_reviewed_on"), current("next_review_due")
    if isinstance(last, date) and isinstance(due, date) and due < last:
        found.append(
            Problem(row, sheet.heading("next_review_due"), "The next review is before the last.")
        )


def _action(planned: _Planned) -> tuple[Action, dict[str, Any]]:
    if planned.document is None:
        return "create", planned.values
    values = planned.values
    if planned.document.status in IN_FORCE and values.get("next_review_due", False) is None:
        # A document in force always has a review date: an empty cell leaves it as it is.
        values = {k: v for k, v in values.items() if k != "next_review_due"}
    changes = {k: v for k, v in values.items() if getattr(planned.document, k) != v}
    return ("update" if changes else "unchanged"), changes


def status_for_new(values: dict[str, Any]) -> str:
    """A row with a Trix URL or a last review date is a live document being moved in, so it is
    registered as published (and, with no next review date, given one by the review-date rule,
    counted from its last review); anything else is still being written and starts as a
    draft."""
    return "published" if values.get("trix_url") or values.get("last_reviewed_on") else "draft"


# --- importing ---------------------------------------------------------------------------------


async def import_tracker(
    session: AsyncSession,
    principal: Principal,
    sheet: Sheet,
    *,
    filename: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of ``sheet``, then create and update the documents it lists, all or
    nothing: any problem raises TrackerRejected and writes nothing. A dry run checks and reports
    what would happen, writing nothing either way (its problems are in the report)."""
    reviews_authz.check_import(principal)
    planned, problems = await _plan(session, principal, sheet, progress)
    report = ImportReport(
        dry_run=dry_run, rows=len(sheet.rows), problems=problems, ignored_columns=sheet.ignored
    )
    steps: list[tuple[_Planned, Action, dict[str, Any]]] = []
    for n, item in enumerate(planned):
        if n % YIELD_EVERY_ROWS == YIELD_EVERY_ROWS - 1:
            await asyncio.sleep(0)
        action, changes = _action(item)
        steps.append((item, action, changes))
        report.actions.append(
            RowAction(
                item.row, item.reference, action, sorted(changes) if action == "update" else []
            )
        )
    if dry_run:
        return report
    if problems:
        raise TrackerRejected(report)
    if progress:
        progress.start("importing", len(steps))
    # Who the new documents name: told once each at the end, not once per document (moving
    # in, one officer may be the RO of thousands).
    named: dict[uuid.UUID, Counter[str]] = {}
    for start in range(0, len(steps), IMPORT_BATCH):
        batch = steps[start : start + IMPORT_BATCH]
        new = [
            NewDocument.of(
                {"reference": item.reference, "status": status_for_new(changes), **changes}
            )
            for item, action, changes in batch
            if action == "create"
        ]
        # New documents a batch at a time: row by row, 50,000 rows took twelve minutes.
        created = await documents.create_documents(session, principal, new, tell_people=False)
        for document in created:
            for person_id, roles in documents.people_named(document).items():
                named.setdefault(person_id, Counter()).update(["documents", *roles])
        for item, action, changes in batch:
            if action == "update":
                assert item.document is not None
                await documents.update_document(
                    session,
                    principal,
                    item.document,
                    DocumentChange.of(changes),
                    expected_version=item.document.row_version,
                )
        if progress:
            progress.advance(len(batch))
    await audit.record(
        session,
        principal,
        organisation_id=principal.organisation_id,
        action="tracker.imported",
        entity_type="organisation",
        entity_id=principal.organisation_id,
        after={
            "filename": filename,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    await emit(
        session,
        events.TrackerImported(
            organisation_id=principal.organisation_id,
            documents_created=report.created,
            documents_updated=report.updated,
            filename=filename,
            named=[
                events.PersonNamed(
                    person_id=person_id,
                    documents=counts.pop("documents"),
                    roles=dict(counts),
                )
                for person_id, counts in named.items()
            ],
        ),
    )
    return report
