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


class _Writer:
    """Paragraphs appended in O(1) with their style given by id: python-docx's own
    ``add_paragraph`` searches the body for its end and ``add_heading`` looks a style up by
    name, each time (a 200-document pack took minutes)."""

    HEADINGS = {0: "Title", 1: "Heading1", 2: "Heading2", 3: "Heading3"}

    def __init__(self, document: Any) -> None:
        self.document = document
        body = document.element.body
        self._end = body.sectPr
        self._body = body

    def paragraph(self, text: str = "", style_id: str | None = None) -> Any:
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self._body.append(element)
        if style_id is not None:
            element.style = style_id
        paragraph = Paragraph(element, self.document._body)
        if text:
            paragraph.add_run(_text(text))
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.paragraph(text, self.HEADINGS[level])

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        _table(self.document, header, rows)


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


def _front_page(w: _Writer, pack: PackContents, counts: Counts, docs: list[Redlined]) -> None:
    w.heading("Amendment pack", 0)
    w.paragraph(_text(f"{pack.organisation}: {pack.heading}"))
    facts = [
        ["Period", f"{long_date(pack.start)} to {long_date(pack.end)}"],
        ["Amended documents", f"{counts.amended} ({counts.sections_changed} sections changed)"],
        ["New documents", str(counts.new)],
        ["Withdrawn", str(counts.withdrawn)],
        ["Produced", f"{long_datetime(pack.generated_at)} (London time)"],
    ]
    if pack.submission_deadline:
        facts.insert(1, ["Submission deadline", long_date(pack.submission_deadline)])
    w.table(["", ""], facts)
    w.heading("Documents", 1)
    if not docs:
        w.paragraph("No document was issued in this period.")
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
        w.table(["Reference", "Title", "Version", "Issued"], rows)
    if pack.withdrawn:
        w.heading("Withdrawn", 1)
        w.table(
            ["Reference", "Title", "Version", "On", "Why"],
            [
                [w.reference, w.title, w.number or "", long_date(w.on), w.why]
                for w in pack.withdrawn
            ],
        )
    if pack.not_issued:
        w.heading("Agreed in the cycle, not yet issued", 1)
        w.table(
            ["Reference", "Title", "Status"],
            [[n.reference, n.title, n.status.replace("_", " ")] for n in pack.not_issued],
        )


def _marked_paragraph(w: _Writer, paragraph: Paragraph) -> None:
    from docx.shared import RGBColor

    out = w.paragraph()
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


def _document_part(w: _Writer, redlined: Redlined) -> None:
    changed = redlined.document
    w.page_break()
    w.heading(_text(f"{changed.reference} {changed.title}"), 1)
    versions = (
        f"New document, version {changed.new_number}"
        if changed.is_new
        else f"Version {changed.old_number} → {changed.new_number}"
    )
    where = f"; on Tri.x: {changed.trix_url}" if changed.trix_url else ""
    w.paragraph(_text(f"{versions}, issued {long_date(changed.issued_on)}{where}"))
    w.heading("Change summary", 2)
    for number, summary in changed.summaries:
        prefix = f"{number}: " if len(changed.summaries) > 1 else ""
        w.paragraph(_text(prefix + (summary or "No summary was given.")))
    for item in changed.items:
        note = f" RO's note: {item.outcome_note}" if item.outcome_note else ""
        status = item.status.replace("_", " ")
        w.paragraph(_text(f"Update Plan item ({status}): {item.recommendation}{note}"))
    w.heading("Changes by section", 2)
    if not redlined.changed:
        w.paragraph("No section's text changed.")
    for section in redlined.changed:
        title = section.title or "Opening text (before the first heading)"
        suffix = {"added": " (new section)", "removed": " (section removed)"}.get(
            section.change, ""
        )
        w.heading(_text(title + suffix), 3)
        for paragraph in section.paragraphs:
            _marked_paragraph(w, paragraph)
    if redlined.unchanged and not changed.is_new:
        names = "; ".join(s.title or "Opening text" for s in redlined.unchanged)
        w.paragraph(_text(f"Unchanged sections: {names}.")).runs[0].italic = True


def pack_docx(pack: PackContents, documents: list[Redlined], counts: Counts) -> bytes:
    """The pack as a .docx."""
    import docx

    document = docx.Document()
    document.core_properties.title = _text(f"Amendment pack: {pack.heading}")[:255]
    writer = _Writer(document)
    _front_page(writer, pack, counts, documents)
    for redlined in documents:
        _document_part(writer, redlined)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
