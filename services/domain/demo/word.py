"""Word documents for the demo: a draft amending an earlier text with its changes tracked, as
NCT's ROs send them (NCT 4.1 v), so the tracked-changes gate has a real .docx to read."""

from __future__ import annotations

import difflib
import io
from datetime import UTC, datetime

AUTHOR = "policygov demo"


def _run(text: str, deleted: bool = False) -> str:
    from xml.sax.saxutils import escape

    tag = "w:delText" if deleted else "w:t"
    return f'<w:r><{tag} xml:space="preserve">{escape(text)}</{tag}></w:r>'


def _revision(tag: str, number: int, text: str) -> str:
    when = datetime(2026, 1, 1, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    attributes = f'w:id="{number}" w:author="{AUTHOR}" w:date="{when}"'
    return f"<w:{tag} {attributes}>{_run(text, deleted=tag == 'del')}</w:{tag}>"


def tracked_docx(before: str, after: str) -> bytes:
    """A .docx of ``after`` whose paragraphs added, removed or changed since ``before`` are
    tracked insertions and deletions, one paragraph per line."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    body = document.element.body
    old, new = before.splitlines(), after.splitlines()
    number = 0
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        runs: list[str] = []
        if tag == "equal":
            runs = [_run(line) for line in new[j1:j2]]
        else:
            for line in old[i1:i2]:
                number += 1
                runs.append(_revision("del", number, line))
            for line in new[j1:j2]:
                number += 1
                runs.append(_revision("ins", number, line))
        for run in runs:
            paragraph = parse_xml(f"<w:p {nsdecls('w')}>{run}</w:p>")
            body.insert(len(body) - 1, paragraph)  # before the section properties
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
