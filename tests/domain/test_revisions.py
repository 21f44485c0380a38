"""Counting a Word draft's tracked changes (NCT 4.1 v), and reading its text as amended."""

from __future__ import annotations

import io
import zipfile

import pytest

from services.domain.demo.word import tracked_docx
from services.domain.documents.revisions import TrackedChanges, tracked_changes
from services.domain.documents.text import DOCX, extract_text
from services.domain.errors import Invalid, PayloadTooLarge
from services.domain.heavy_work import HeavyLimits


def _with_body(body: str) -> bytes:
    """A copy of a real .docx whose document part is ``body``."""
    with zipfile.ZipFile(io.BytesIO(tracked_docx("", "x"))) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = body.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_insertions_deletions_and_moves_are_counted_and_the_text_reads_as_amended() -> None:
    content = tracked_docx("Keep\nOld line\nEnd", "Keep\nNew line\nEnd\nAdded")
    assert tracked_changes(content) == TrackedChanges(insertions=2, deletions=1)
    assert extract_text(content, DOCX).split("\n") == ["Keep", "", "New line", "End", "Added"]
    moved = _with_body(
        f"<w:document {W}><w:body><w:p><w:moveFrom w:id='1' w:author='a'><w:r>"
        "<w:t>Moved</w:t></w:r></w:moveFrom></w:p><w:p><w:moveTo w:id='2' w:author='a'><w:r>"
        "<w:t>Moved</w:t></w:r></w:moveTo></w:p></w:body></w:document>"
    )
    assert tracked_changes(moved) == TrackedChanges(insertions=1, deletions=1)
    assert extract_text(moved, DOCX) == "Moved"


def test_a_draft_typed_over_has_none() -> None:
    body = f"<w:document {W}><w:body><w:p><w:r><w:t>Plain</w:t></w:r></w:p></w:body></w:document>"
    assert not tracked_changes(_with_body(body)).any


def test_a_hostile_file_is_refused_and_never_expanded() -> None:
    with pytest.raises(Invalid):
        tracked_changes(b"not a zip")
    with pytest.raises(Invalid):
        tracked_changes(_with_body("<w:document"))
    # An entity is never expanded (no billion laughs): the parser refuses or skips it.
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "' + "x" * 1000 + '">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<w:document {W}><w:body><w:p><w:ins w:id='1'><w:r><w:t>&b;</w:t></w:r></w:ins></w:p>"
        "</w:body></w:document>"
    )
    assert tracked_changes(_with_body(laughs)) == TrackedChanges(insertions=1, deletions=0)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (5 * 1024 * 1024))
    with pytest.raises(PayloadTooLarge):
        tracked_changes(bomb.getvalue(), HeavyLimits(max_unpacked_bytes=1024 * 1024))
