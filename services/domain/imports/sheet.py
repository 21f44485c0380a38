"""Reading an organisation's existing review tracker: a CSV or XLSX file into rows of cells,
with its header matched to the register's columns however the tracker happened to name them."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from services.domain.errors import Invalid, UnsupportedMediaType
from services.domain.heavy_work import HeavyLimits, check_zip_package, run_bounded

# The tracker's columns, in the order the export writes them: (field, heading).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", "Reference"),
    ("title", "Title"),
    ("kind", "Kind"),
    ("service_area", "Service area"),
    ("ro_email", "RO email"),
    ("rsm_email", "RSM email"),
    ("last_reviewed", "Last reviewed"),
    ("next_review_due", "Next review due"),
    ("trix_url", "Trix URL"),
    # Dorset's Asset List: who approved the version in force and when (4.5), the document that
    # governs it (Procedure) and the PPP Group's confirmation that its forms are aligned (Forms).
    ("approved_by", "Approved by"),
    ("approved_on", "Approved on"),
    ("governing_reference", "Governing document"),
    ("forms_aligned_on", "Forms aligned on"),
)
HEADINGS = dict(COLUMNS)
REQUIRED = ("reference", "title", "kind")
# What trackers call the columns (NCT's Procedures Manual Tracker, Dorset's review schedule and
# the usual spreadsheet habits), after normalising: lower case, words only, "e-mail" as "email".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "reference": (
        "ref",
        "ref no",
        "reference number",
        "document reference",
        "doc ref",
        "policy reference",
        "procedure reference",
        "document number",
        "id",
    ),
    "title": ("name", "document title", "document name", "policy title", "procedure title"),
    "kind": ("type", "document type", "document kind", "doc type"),
    "service_area": ("service", "area", "team", "directorate", "service area team"),
    "ro_email": (
        "ro",
        "responsible officer",
        "responsible officer email",
        "ro name email",
    ),
    "rsm_email": (
        "rsm",
        "responsible strategic manager",
        "responsible strategic manager email",
        "strategic manager",
        "strategic manager email",
        "owner",
        "owner email",
    ),
    "last_reviewed": (
        "last reviewed on",
        "last review",
        "last review date",
        "date last reviewed",
        "reviewed",
        "date reviewed",
        "last reviewed date",
    ),
    "next_review_due": (
        "next review",
        "next review date",
        "next review due date",
        "review date",
        "review due",
        "review due date",
        "due",
        "due date",
    ),
    "trix_url": ("trix link", "trix", "trix address", "url", "link", "web link", "weblink"),
    "approved_by": ("approver", "approving body", "approved by whom", "signed off by"),
    "approved_on": ("approval date", "date approved", "approved date", "signed off on"),
    "governing_reference": (
        "governing policy",
        "governing document reference",
        "governed by",
        "parent policy",
        "parent document",
    ),
    "forms_aligned_on": (
        "forms aligned",
        "forms aligned date",
        "forms checked",
        "forms checked on",
        "date forms aligned",
    ),
}
XLSX_MAGIC = b"PK\x03\x04"


def normalise_heading(text: str) -> str:
    """'  Responsible Officer (e-mail) ' -> 'responsible officer email'."""
    words = re.sub(r"e-mail", "email", text.lower())
    words = re.sub(r"[^a-z0-9]+", " ", words).strip()
    return re.sub(r"\s+address$", "", words)


_LOOKUP: dict[str, str] = {}
for _field, _heading in COLUMNS:
    for _name in (_heading, _field.replace("_", " "), *SYNONYMS[_field]):
        _LOOKUP[normalise_heading(_name)] = _field


def field_for(heading: str) -> str | None:
    """The register field a tracker heading means, or None for a column the import ignores."""
    return _LOOKUP.get(normalise_heading(heading))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the row as a spreadsheet numbers it, and the column."""

    row: int
    column: str
    message: str


@dataclass
class Sheet:
    """The cells of a tracker: ``fields`` maps a register field to its column index."""

    header_row: int
    headings: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    # Cells as tuples: a sheet comes back from its child process pickled, and 100,000 tuples
    # of strings unpickle in a tenth of the time of lists (the garbage collector ignores them),
    # which is time the API's event loop would otherwise wait.
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def heading(self, name: str) -> str:
        """The file's own heading for a field (what the person who wrote it will recognise)."""
        index = self.fields.get(name)
        return self.headings[index] if index is not None else HEADINGS[name]

    def cell(self, cells: Sequence[Any], name: str) -> Any:
        index = self.fields.get(name)
        return cells[index] if index is not None and index < len(cells) else None


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows writes cp1252; a byte cp1252 leaves undefined is rare enough
        # to read as Latin-1 rather than refuse the file.
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            return content.decode("latin-1")


def _csv_rows(content: bytes) -> tuple[list[list[Any]], Problem | None]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    rows: list[list[Any]] = []
    # The csv module refuses a cell over 128 KiB by default; let it through, so the tracker's
    # length rules name its row and column. The limit is process-wide: the API reads a sheet
    # in a child process of its own (heavy_work), the CLI in a process doing nothing else.
    previous = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(list(cells))
    except csv.Error as error:
        return rows, Problem(len(rows) + 1, "", f"This row cannot be read as CSV ({error}).")
    finally:
        csv.field_size_limit(previous)
    return rows, None


def _xlsx_rows(
    content: bytes, max_rows: int, limits: HeavyLimits
) -> tuple[list[list[Any]], Problem | None]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            members = [(i.file_size, i.compress_size) for i in package.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise Invalid(
            "This is not a workbook we can read (not a zip package).", field="file"
        ) from None
    check_zip_package(members, limits, "The workbook")
    try:
        # data_only: a formula cell gives the value Excel last showed, never the formula.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise Invalid(f"This is not a workbook we can read ({error}).", field="file") from None
    rows: list[list[Any]] = []
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > max_rows + 1:
                break
    except Exception as error:  # a damaged row: a number cell holding "y", a bad date...
        row = len(rows) + 1
        header = next((r for r in rows if not _is_blank(r)), [])
        column = _unreadable_column(book, row)
        heading = header[column] if column is not None and column < len(header) else None
        message = f"This cell cannot be read ({error})."
        return rows, Problem(row, "" if heading is None else str(heading).strip(), message)
    finally:
        book.close()
    return rows, None


def _unreadable_column(book: Any, row: int) -> int | None:
    """The index of the first cell of ``row`` (counted from 1) of the first sheet that openpyxl
    cannot read, or None if it cannot be told. Reads the sheet's XML again with openpyxl's own
    cell parser, one cell at a time; it only runs for a file already refused."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser

    try:
        sheet = book.worksheets[0]
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source, sheet._shared_strings, data_only=True, epoch=book.epoch
            )
            for _, element in iterparse(source):
                if element.tag == ROW_TAG and element.get("r") == str(row):
                    for cell in element.iter(CELL_TAG):
                        try:
                            parser.parse_cell(cell)
                        except Exception:
                            letters, _ = coordinate_from_string(cell.get("r", ""))
                            return int(column_index_from_string(letters)) - 1
                    return None
                if element.tag == ROW_TAG:
                    element.clear()
    except Exception:  # a file this damaged keeps its problem without a column
        return None
    return None


def read_sheet(
    filename: str,
    content: bytes,
    *,
    max_rows: int = 100_000,
    limits: HeavyLimits | None = None,
) -> Sheet:
    """The header and rows of a tracker file (CSV in UTF-8 or Windows-1252, or XLSX's first
    sheet). Header problems (a required column missing, a column named twice) and a row that
    cannot be read are collected. Slow on big files: the API runs it with
    ``heavy_work.run_bounded``; a workbook unpacking beyond ``limits`` is refused (413)."""
    lower = filename.lower()
    if content.startswith(XLSX_MAGIC) or lower.endswith((".xlsx", ".xlsm")):
        raw, unreadable = _xlsx_rows(content, max_rows, limits or HeavyLimits())
    else:
        check_readable(filename, content)
        raw, unreadable = _csv_rows(content)
    numbered = [(n, tuple(cells)) for n, cells in enumerate(raw, start=1) if not _is_blank(cells)]
    if not numbered:
        sheet = Sheet(header_row=1, headings=[])
        sheet.problems.append(
            unreadable or Problem(1, "", "The file is empty: it needs a header row.")
        )
        return sheet
    header_row, header = numbered[0]
    sheet = Sheet(
        header_row=header_row,
        headings=["" if h is None else str(h).strip() for h in header],
        rows=numbered[1:],
    )
    for index, heading in enumerate(sheet.headings):
        name = field_for(heading)
        if name is None:
            if heading:
                sheet.ignored.append(heading)
        elif name in sheet.fields:
            first = sheet.headings[sheet.fields[name]]
            sheet.problems.append(
                Problem(
                    header_row, heading, f"This column and {first!r} both mean {HEADINGS[name]}."
                )
            )
        else:
            sheet.fields[name] = index
    for name in REQUIRED:
        if name not in sheet.fields:
            sheet.problems.append(
                Problem(header_row, HEADINGS[name], f"The file has no {HEADINGS[name]} column.")
            )
    if unreadable is not None:
        sheet.problems.append(unreadable)
    elif not sheet.rows:
        sheet.problems.append(Problem(header_row, "", "The file has a header but no rows."))
    elif len(sheet.rows) > max_rows:
        sheet.problems.append(
            Problem(header_row, "", f"The file has more than {max_rows} rows; split it.")
        )
        del sheet.rows[max_rows:]
    return sheet


def check_readable(filename: str, content: bytes) -> None:
    """UnsupportedMediaType for a kind of file the import does not read (a background import
    is refused at once, not a minute later)."""
    if filename.lower().endswith(".xls") and not content.startswith(XLSX_MAGIC):
        raise UnsupportedMediaType("Save the tracker as .xlsx or .csv (the old .xls is not read).")


async def read_sheet_bounded(filename: str, content: bytes, limits: HeavyLimits) -> Sheet:
    """``read_sheet`` in a child process within ``limits``, so a 100,000-row workbook stalls
    no other request (see heavy_work)."""
    reading = partial(read_sheet, limits=limits)
    sheet: Sheet = await run_bounded(reading, filename, content, limits=limits)
    return sheet
