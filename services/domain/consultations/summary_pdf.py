"""A published "You said, we did" summary as a PDF (fpdf2), written in a child process
(``heavy_work.run_bounded``) from the frozen summary alone.

Text is Unicode: DejaVu Sans is used where the machine has it (Debian's fonts-dejavu-core,
``FONT_DIRS``); where it has none, the PDF falls back to the core Helvetica font, which holds
only Latin-1, and ``latin1`` spells what it cannot hold: curly quotes become straight ones,
dashes a hyphen, an ellipsis three dots, and anything else a question mark (never an error).
The themes link inside the PDF to the changed paragraphs listed at its end.
"""

from __future__ import annotations

import re
from pathlib import Path

from fpdf import FPDF

from services.domain.calendar.words import long_date
from services.domain.consultations.summary_view import PublicSummary
from services.domain.heavy_work import HeavyLimits, run_bounded

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1 = str.maketrans(
    {
        "\u2018": "'",  # curly quotes
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",  # en and em dashes
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
    }
)
KIND_WORDS = {"added": "Added", "removed": "Removed", "changed": "Reworded"}


def latin1(text: str) -> str:
    """``text`` in what the core fonts hold, for a machine with no Unicode font."""
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _font_dir(dirs: tuple[Path, ...]) -> Path | None:
    for folder in dirs:
        if (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file():
            return folder
    return None


class _Writer:
    def __init__(self, font_dirs: tuple[Path, ...]) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.set_margins(18, 18, 18)
        folder = _font_dir(font_dirs)
        self.unicode = folder is not None
        if folder is not None:
            self.pdf.add_font("Body", "", str(folder / "DejaVuSans.ttf"))
            self.pdf.add_font("Body", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.family = "Body"
        else:
            self.family = "Helvetica"
        self.pdf.add_page()

    def text(self, text: str) -> str:
        return text if self.unicode else latin1(text)

    def para(self, text: str, size: float = 11, style: str = "", link: int | str = "") -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.multi_cell(
            0, size * 0.55, self.text(text), new_x="LMARGIN", new_y="NEXT", link=link
        )
        self.pdf.ln(size * 0.3)


def write_pdf(view: PublicSummary, font_dirs: tuple[Path, ...] = FONT_DIRS) -> bytes:
    """The summary as a PDF: title, introduction, each theme (what you said, what we did,
    linked changes), then every changed paragraph (before and after)."""
    w = _Writer(font_dirs)
    w.pdf.set_title(w.text(f"You said, we did: {view.document_reference} {view.document_title}"))
    w.pdf.set_author(w.text(view.organisation_name))
    w.para(view.organisation_name, 10)
    w.para("You said, we did", 22, "B")
    w.para(f"{view.document_reference} {view.document_title}", 14, "B")
    w.para(
        f"Consultation: {view.consultation_title}. We consulted on version "
        f"{view.consulted_version}; this is what changed in version {view.issued_version}. "
        f"Published {long_date(view.published_at)}.",
        10,
    )
    if view.introduction:
        w.para(view.introduction)
    links = {change.key: w.pdf.add_link() for change in view.changes}
    for theme in view.themes:
        w.para(theme.theme, 15, "B")
        w.para("You said", 12, "B")
        w.para(theme.said)
        w.para(f"We did: {theme.outcome_words.lower()}", 12, "B")
        if theme.did:
            w.para(theme.did)
        for key in theme.changes:
            w.para(f"See change {key} below", 10, link=links[key])
    if view.changes:
        w.para("What changed, paragraph by paragraph", 15, "B")
        if view.changes_total > len(view.changes):
            w.para(f"The first {len(view.changes)} of {view.changes_total} changes.", 10)
    for change in view.changes:
        w.pdf.set_link(links[change.key], page=w.pdf.page_no(), y=w.pdf.get_y())
        w.para(f"Change {change.key}: {KIND_WORDS[change.kind]}", 12, "B")
        if change.before is not None:
            w.para(f"Before: {change.before}", 10)
        if change.after is not None:
            w.para(f"After: {change.after}", 10)
    return bytes(w.pdf.output())


async def pdf_of(view: PublicSummary, limits: HeavyLimits) -> bytes:
    """``write_pdf`` in a child process within ``limits`` (never on the event loop)."""
    return await run_bounded(write_pdf, view, limits=limits)


def pdf_filename(view: PublicSummary) -> str:
    reference = re.sub(r"[^A-Za-z0-9._-]+", "-", view.document_reference).strip("-")
    return f"{reference or 'consultation'}-you-said-we-did.pdf"
