"""The amendment pack as a Word document (python-docx): a front page, then one heading per
document, its change summary and its changed sections, insertions underlined in green and
deletions struck through in red, as Tri.x asks amendments to be shown (NCT 3.4 a v)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from services.domain.calendar.words import long_date, long_datetime
from services.domain.text import printable

if TYPE_CHECKING:
    from services.domain.amendment_packs.contents import PackContents
    from services.domain.amendment_packs.redline import Paragraph
    from services.domain.amendment_packs.render import Counts, Redlined

INSERTED = (0x00, 0x70, 0x3C)
DELETED = (0xD4, 0x35, 0x1C)
MUTED = (0x50, 0x5A, 0x5F)
SUFFIXES = {"added": " (new section)", "removed": " (section removed)"}


def _text(value: str) -> str:
    # XML cannot hold control characters: python-docx refuses them.
    return printable(value)


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(_text(text)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = _text(text)


def _front_page(document: Any, pack: PackContents, counts: Counts, docs: list[Redlined]) -> None:
    document.add_heading("Amendment pack", level=0)
    document.add_paragraph(_text(f"{pack.organisation}: {pack.heading}"))
    facts = [
        ["Period", f"{long_date(pack.start)} to {long_date(pack.end)}"],
        ["Amended documents", f"{counts.amended} ({counts.sections_changed} sections changed)"],
        ["New documents", str(counts.new)],
        ["Withdrawn", str(counts.withdrawn)],
        ["Produced", f"{long_datetime(pack.generated_at)} (London time)"],
    ]
    if pack.submission_deadline:
        facts.insert(1, ["Submission deadline", long_date(pack.submission_deadline)])
    _table(document, ["", ""], facts)
    document.add_heading("Documents", level=1)
    if not docs:
        document.add_paragraph("No document was issued in this period.")
    rows = [
        [
            d.document.reference,
            d.document.title,
            f"New: {d.document.new_number}"
            if d.document.is_new
            else f"{d.document.old_number} → {d.document.new_number}",
            long_date(d.document.issued_on),
        ]
        for d in docs
    ]
    if rows:
        _table(document, ["Reference", "Title", "Version", "Issued"], rows)
    if pack.withdrawn:
        document.add_heading("Withdrawn", level=1)
        _table(
            document,
            ["Reference", "Title", "Version", "On", "Why"],
            [
                [w.reference, w.title, w.number or "", long_date(w.on), w.why]
                for w in pack.withdrawn
            ],
        )
    if pack.not_issued:
        document.add_heading("Agreed in the cycle, not yet issued", level=1)
        _table(
            document,
            ["Reference", "Title", "Status"],
            [[n.reference, n.title, n.status.replace("_", " ")] for n in pack.not_issued],
        )


def _marked_paragraph(document: Any, paragraph: Paragraph) -> None:
    from docx.shared import RGBColor

    out = document.add_paragraph()
    if paragraph.kind == "gap":
        plural = "s" if paragraph.skipped != 1 else ""
        run = out.add_run(f"[{paragraph.skipped} unchanged paragraph{plural}]")
        run.italic = True
        run.font.color.rgb = RGBColor(*MUTED)
        return
    for segment in paragraph.segments:
        run = out.add_run(_text(segment.text))
        run.bold = paragraph.is_heading or None
        if segment.kind == "ins":
            run.underline = True
            run.font.color.rgb = RGBColor(*INSERTED)
        elif segment.kind == "del":
            run.font.strike = True
            run.font.color.rgb = RGBColor(*DELETED)


def _document_part(document: Any, redlined: Redlined) -> None:
    changed = redlined.document
    document.add_page_break()
    document.add_heading(_text(f"{changed.reference} {changed.title}"), level=1)
    versions = (
        f"New document, version {changed.new_number}"
        if changed.is_new
        else f"Version {changed.old_number} → {changed.new_number}"
    )
    where = f"; on Tri.x: {changed.trix_url}" if changed.trix_url else ""
    document.add_paragraph(_text(f"{versions}, issued {long_date(changed.issued_on)}{where}"))
    document.add_heading("Change summary", level=2)
    for number, summary in changed.summaries:
        prefix = f"{number}: " if len(changed.summaries) > 1 else ""
        document.add_paragraph(_text(prefix + (summary or "No summary was given.")))
    for item in changed.items:
        note = f" RO's note: {item.outcome_note}" if item.outcome_note else ""
        status = item.status.replace("_", " ")
        document.add_paragraph(_text(f"Update Plan item ({status}): {item.recommendation}{note}"))
    document.add_heading("Changes by section", level=2)
    if not redlined.changed:
        document.add_paragraph("No section's text changed.")
    for section in redlined.changed:
        title = section.title or "Opening text (before the first heading)"
        suffix = {"added": " (new section)", "removed": " (section removed)"}.get(
            section.change, ""
        )
        document.add_heading(_text(title + suffix), level=3)
        for paragraph in section.paragraphs:
            _marked_paragraph(document, paragraph)
    if redlined.unchanged and not changed.is_new:
        names = "; ".join(s.title or "Opening text" for s in redlined.unchanged)
        document.add_paragraph(_text(f"Unchanged sections: {names}.")).runs[0].italic = True


def pack_docx(pack: PackContents, documents: list[Redlined], counts: Counts) -> bytes:
    """The pack as a .docx."""
    import docx

    document = docx.Document()
    document.core_properties.title = _text(f"Amendment pack: {pack.heading}")[:255]
    _front_page(document, pack, counts, documents)
    for redlined in documents:
        _document_part(document, redlined)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
