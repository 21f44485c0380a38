"""An amendment pack rendered: the redline of each document worked out, then written as HTML or
as a Word document. Run in a child process (``heavy_work.run_bounded``): it diffs every text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.domain.amendment_packs.contents import ChangedDocument, PackContents
from services.domain.amendment_packs.redline import Section, sections

PackFormat = Literal["html", "docx"]


@dataclass(frozen=True)
class Redlined:
    """A changed document with its sections; a new one's sections are all added."""

    document: ChangedDocument
    sections: tuple[Section, ...]

    @property
    def changed(self) -> list[Section]:
        return [s for s in self.sections if s.is_changed]

    @property
    def unchanged(self) -> list[Section]:
        return [s for s in self.sections if not s.is_changed]


@dataclass(frozen=True)
class Counts:
    amended: int
    new: int
    withdrawn: int
    sections_changed: int


def redline(contents: PackContents) -> list[Redlined]:
    """Every changed document of the pack with its section-level redline."""
    return [Redlined(d, tuple(sections(d.old_text, d.new_text))) for d in contents.changed]


def counts(contents: PackContents, documents: list[Redlined]) -> Counts:
    return Counts(
        amended=sum(1 for d in contents.changed if not d.is_new),
        new=sum(1 for d in contents.changed if d.is_new),
        withdrawn=len(contents.withdrawn),
        sections_changed=sum(len(d.changed) for d in documents if not d.document.is_new),
    )


def render_pack(contents: PackContents, fmt: PackFormat) -> bytes:
    """The pack as UTF-8 HTML or as a .docx."""
    documents = redline(contents)
    if fmt == "docx":
        from services.domain.amendment_packs.word import pack_docx

        return pack_docx(contents, documents, counts(contents, documents))
    from services.domain.amendment_packs.html import pack_html

    return pack_html(contents, documents, counts(contents, documents)).encode()
