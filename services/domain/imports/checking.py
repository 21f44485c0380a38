"""Checking a tracker before anything is written: every cell of every row, and the rules across
columns, against what the organisation has (its people, document kinds and documents), each
read once.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from openpyxl.utils.datetime import from_excel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.consultations.report_formats import FORMULA_STARTS
from services.domain.db import in_chunks
from services.domain.documents import service as documents
from services.domain.documents.register_fields import GOVERNS
from services.domain.imports.sheet import REQUIRED, Problem, Sheet
from services.domain.models.documents import Document, DocumentKind, DocumentLink
from services.domain.models.people import Person
from services.domain.organisations.words import words_for

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
    "approved_by": "approved_by",
    "approved_on": "approved_on",
    "forms_aligned_on": "forms_aligned_on",
}
MAX_LENGTHS = {"title": 300, "service_area": 200, "trix_url": 2000, "approved_by": 200}
DATES = ("last_reviewed", "next_review_due", "approved_on", "forms_aligned_on")
# Any other cell the import reads (an email, a date, a kind) is far shorter than this.
MAX_CELL = 2000
# Checking is plain Python; hand the event loop back this often so other requests go on.
YIELD_EVERY_ROWS = 500
UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+)?$")


class Progress(Protocol):
    """Told how far the import has gone (the CLI draws a progress bar with it)."""

    def start(self, phase: str, total: int) -> None: ...

    def advance(self, rows: int = 1) -> None: ...


@dataclass
class Planned:
    """A row without a problem: its document (None for a new one) and the values it gives
    the document's fields."""

    row: int
    reference: str
    document: Document | None
    values: dict[str, Any]
    # The reference of a document to link as governing this one, when no such link is there.
    governing: str | None = None


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


async def plan(
    session: AsyncSession, principal: Principal, sheet: Sheet, progress: Progress | None
) -> tuple[list[Planned], list[Problem]]:
    """Check every row of ``sheet``: the rows without a problem, with the values they give
    their document's fields, and every problem found (the sheet's own first)."""
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
    governing = [_text(sheet.cell(cells, "governing_reference")) for _, cells in sheet.rows]
    well_formed = [r for r in (*references, *governing) if documents.REFERENCE.match(r)]
    existing = await _existing(session, organisation_id, well_formed)
    linked = await _governed_by(session, [d.id for d in existing.values()])
    in_file = set(references)
    first_row: dict[str, int] = {}
    planned: list[Planned] = []
    if progress:
        progress.start("checking", len(sheet.rows))
    for n, ((row, cells), reference) in enumerate(zip(sheet.rows, references, strict=True)):
        if n % YIELD_EVERY_ROWS == YIELD_EVERY_ROWS - 1:
            await asyncio.sleep(0)
        found: list[Problem] = []
        wrong = _reference_problem(reference, first_row)
        if wrong is not None:
            found.append(Problem(row, sheet.heading("reference"), wrong))
        else:
            first_row[reference] = row
        document = existing.get(reference)
        values: dict[str, Any] = {}
        for name in FIELD_OF.keys() & sheet.fields.keys():
            value, wrong = _value(name, sheet.cell(cells, name), people, kinds)
            if wrong is not None:
                found.append(Problem(row, sheet.heading(name), wrong))
            else:
                values[FIELD_OF[name]] = value
        _check_row(sheet, row, values, document, kinds, found, owner)
        governor, wrong = _governing(reference, governing[n], existing, in_file)
        if wrong is not None:
            found.append(Problem(row, sheet.heading("governing_reference"), wrong))
        elif document is not None and (governor, document.id) in linked:
            governor = None  # already governs it
        problems.extend(found)
        if not found:
            planned.append(Planned(row, reference, document, values, governor))
        if progress:
            progress.advance()
    return planned, problems


async def _governed_by(
    session: AsyncSession, document_ids: Sequence[uuid.UUID]
) -> set[tuple[str, uuid.UUID]]:
    """(governing reference, governed document) for the ``governs`` links to these documents."""
    found: set[tuple[str, uuid.UUID]] = set()
    for chunk in in_chunks(sorted(set(document_ids))):
        rows = await session.execute(
            select(Document.reference, DocumentLink.target_id)
            .join(DocumentLink, DocumentLink.source_id == Document.id)
            .where(DocumentLink.kind == GOVERNS, DocumentLink.target_id.in_(chunk))
        )
        found.update((row[0], row[1]) for row in rows)
    return found


def _governing(
    reference: str, cell: str, existing: dict[str, Document], in_file: set[str]
) -> tuple[str | None, str | None]:
    """The reference of the governing document a row names (Dorset: "Every procedure should in
    principle be governed by a policy"), or the problem with it. It must be in the register or
    in the same file; an empty cell leaves the document's links as they are."""
    if not cell:
        return None, None
    if cell == reference:
        return None, "A document cannot govern itself."
    if cell not in existing and cell not in in_file:
        return None, f"No document {cell!r} in this organisation or in this file."
    return cell, None


def _reference_problem(reference: str, first_row: dict[str, int]) -> str | None:
    if not reference:
        return "A reference is required."
    if not documents.REFERENCE.match(reference):
        return "A reference is 1-40 letters, digits, '.', '_', '/' or '-'."
    if reference in first_row:
        return f"{reference} is also on row {first_row[reference]}."
    return None


def _value(
    name: str, raw: Any, people: dict[str, Person], kinds: dict[str, DocumentKind]
) -> tuple[Any, str | None]:
    """The value the cell ``raw`` of column ``name`` gives its field, or the problem with it."""
    text = _text(raw)
    if "\x00" in text:
        return None, "The cell holds a NUL character."
    if len(text) > MAX_LENGTHS.get(name, MAX_CELL):
        return None, f"At most {MAX_LENGTHS.get(name, MAX_CELL)} characters."
    if name == "title" and not text:
        return None, "A title is required."
    if name == "kind":
        kind = kinds.get(text.lower()) if text else None
        if not text:
            return None, "A kind is required."
        if kind is None or not kind.is_active:
            return None, f"{text!r} is not a document kind of this organisation."
        return kind.key, None
    if name in ("ro_email", "rsm_email") and text:
        person = people.get(text.lower())
        if person is None:
            return None, f"No one with the email {text} in this organisation."
        if not person.is_active:
            return None, f"{person.name} ({text}) is no longer active."
        return person.id, None
    if name in DATES and text:
        try:
            return parse_date(raw), None
        except ValueError:
            return None, f"{text!r} is not a date (use 2026-03-31 or 31/03/2026)."
    if name == "trix_url" and text and not _is_web_address(text):
        return None, "A Trix URL is a web address starting https:// or http://."
    return text or None, None


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
