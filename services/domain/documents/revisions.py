"""Word's tracked changes in an uploaded draft (NCT 4.1 v).

"Where a review leads to further amendments, Tri.x's Editing / Amending Advice must be adhered
to. Tri.x will not accept or publish amended material if changes have not been 'tracked'."
A pure function, bytes in and counts out: the upload runs it in a child process within the
heavy-work limits (a zip bomb is refused before anything is unpacked), and the
``changes_tracked`` gate reads the counts stored with the version.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from services.domain.errors import Invalid
from services.domain.heavy_work import HeavyLimits, check_zip_package

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A moved paragraph is tracked as a deletion where it was and an insertion where it went.
_INSERTED = frozenset({f"{_W}ins", f"{_W}moveTo"})
_DELETED = frozenset({f"{_W}del", f"{_W}moveFrom"})
# The parts of a Word document that hold its text: the body, headers, footers and notes.
_PREFIXES = ("word/document", "word/header", "word/footer", "word/footnotes", "word/endnotes")


@dataclass(frozen=True)
class TrackedChanges:
    """How many tracked insertions and deletions (moves count as one of each) a draft has."""

    insertions: int
    deletions: int

    @property
    def any(self) -> bool:
        return bool(self.insertions or self.deletions)


def _parts(archive: zipfile.ZipFile) -> list[str]:
    return sorted(
        name
        for name in archive.namelist()
        if name.endswith(".xml") and name.startswith(_PREFIXES) and "/_rels/" not in name
    )


def tracked_changes(content: bytes, limits: HeavyLimits | None = None) -> TrackedChanges:
    """The tracked revisions of a .docx; ``Invalid`` when it is not a readable Word package.
    Slow on big files: run it with ``heavy_work.run_bounded``."""
    # Imported here so that the API's start does not pay for loading lxml.
    from lxml import etree

    limits = limits or HeavyLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise Invalid("The Word document is damaged: it is not a readable zip package.") from exc
    with archive:
        infos = archive.infolist()
        check_zip_package([(i.file_size, i.compress_size) for i in infos], limits, "The draft")
        insertions = deletions = 0
        try:
            for name in _parts(archive):
                with archive.open(name) as part:
                    # No entities, no network: a hostile part cannot reach out or expand.
                    for _, element in etree.iterparse(
                        part, events=("end",), resolve_entities=False, no_network=True
                    ):
                        insertions += element.tag in _INSERTED
                        deletions += element.tag in _DELETED
                        element.clear(keep_tail=False)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise Invalid("The Word document is damaged and its changes cannot be read.") from exc
    return TrackedChanges(insertions, deletions)
