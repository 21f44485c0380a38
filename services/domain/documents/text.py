"""What an uploaded policy file really is, and its text.

Pure functions: bytes in, a media type or plain text out. Every failure is a domain error
(``Invalid`` for a broken file of a type we accept, ``UnsupportedMediaType`` for any other
type), so a hostile upload gives a 4xx and never a 500.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from services.domain.errors import Invalid, UnsupportedMediaType
from services.domain.heavy_work import HeavyLimits, check_zip_package

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
MARKDOWN = "text/markdown"
HTML = "text/html"
PLAIN_TEXT = "text/plain"

ACCEPTED_MEDIA_TYPES: Mapping[str, str] = MappingProxyType(
    {DOCX: "Word (.docx)", PDF: "PDF", MARKDOWN: "Markdown", HTML: "HTML", PLAIN_TEXT: "plain text"}
)
TEXT_TYPES = frozenset({MARKDOWN, HTML, PLAIN_TEXT})

_EXTENSIONS = {".docx": DOCX, ".pdf": PDF, ".md": MARKDOWN, ".markdown": MARKDOWN}
_EXTENSIONS |= {".html": HTML, ".htm": HTML, ".txt": PLAIN_TEXT}
_ALIASES = {"text/x-markdown": MARKDOWN, "application/xhtml+xml": HTML, "application/x-pdf": PDF}
# Says nothing about the content: browsers send it for any extension they do not know.
_VAGUE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# A real extension starts with a letter: "Safeguarding policy v2.1" has none.
_EXTENSION = re.compile(r"^\.[a-z][a-z0-9]{0,7}$")
# Signatures of common files we refuse, so they get a 415 whatever they are named.
_FOREIGN_SIGNATURES = {
    b"\xd0\xcf\x11\xe0": "an old Office file (.doc); save it as .docx",
    b"{\\rtf": "a Rich Text file; save it as .docx",
    **dict.fromkeys([b"\x89PNG", b"\xff\xd8\xff", b"GIF8"], "an image"),
    **dict.fromkeys([b"MZ", b"\x7fELF"], "a program"),
    **dict.fromkeys([b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b"], "an archive"),
}


def _unsupported(what: str) -> UnsupportedMediaType:
    accepted = ", ".join(ACCEPTED_MEDIA_TYPES.values())
    message = f"The file is {what}; accepted types are {accepted}."
    return UnsupportedMediaType(message, accepted=list(ACCEPTED_MEDIA_TYPES))


def _bare_type(media_type: str | None) -> str:
    bare = (media_type or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(bare, bare)


def _extension(filename: str | None) -> str | None:
    base = re.split(r"[\\/]", filename or "")[-1]
    suffix = PurePosixPath(base).suffix.lower()
    return suffix if _EXTENSION.match(suffix) else None


def _zip_members(content: bytes) -> dict[str, tuple[int, int]] | None:
    """(Unpacked, packed) size of each member by name, or None when the bytes are not a
    readable zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {i.filename: (i.file_size, i.compress_size) for i in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


def _decode_text(content: bytes) -> str:
    # A NUL byte is valid UTF-8, but no text file has one (and PostgreSQL text refuses it).
    if b"\x00" in content:
        raise Invalid("The file is not UTF-8 text: it contains NUL bytes.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("The file is not UTF-8 text; save it as UTF-8 and upload it again.") from exc


def detect_media_type(filename: str | None, content: bytes, declared: str | None) -> str:
    """The accepted media type of an upload, judged by content first, then name, then header."""
    if not content:
        raise Invalid("The file is empty.")
    ext = _extension(filename)
    # A real extension outranks the header: browsers derive the header from it anyway.
    claimed = _EXTENSIONS.get(ext, ext) if ext else _bare_type(declared)
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        if "word/document.xml" in (_zip_members(content) or {}):
            return DOCX
        if claimed == DOCX:
            raise Invalid("The file is not a readable Word document: it is damaged or incomplete.")
        raise _unsupported("a zip archive, not a Word document")
    for signature, what in _FOREIGN_SIGNATURES.items():
        if content.startswith(signature):
            raise _unsupported(what)
    if claimed in (DOCX, PDF):
        label = ACCEPTED_MEDIA_TYPES[claimed]
        raise Invalid(f"The file claims to be {label} but its content is not; it may be damaged.")
    if claimed in TEXT_TYPES:
        _decode_text(content)
        return claimed
    if claimed not in _VAGUE_TYPES:
        raise _unsupported(f"of type {claimed}")
    # Neither the name nor the header says anything: accept it only if it reads as text.
    try:
        text = _decode_text(content)
    except Invalid:
        raise _unsupported("of a type we could not recognise") from None
    looks_html = re.match(r"\s*<(!doctype\s+html|html)", text, re.IGNORECASE)
    return HTML if looks_html else PLAIN_TEXT


def extract_text(content: bytes, media_type: str, limits: HeavyLimits | None = None) -> str:
    """The readable text of a file of an accepted media type, one paragraph per line; a Word
    document unpacking beyond ``limits`` is refused (413). Slow on big files: run it with
    ``heavy_work.run_bounded``."""
    media_type = _bare_type(media_type)
    if media_type == DOCX:
        raw = _docx_text(content, limits or HeavyLimits())
    elif media_type == PDF:
        raw = _pdf_text(content)
    elif media_type == HTML:
        raw = _html_text(_decode_text(content))
    elif media_type in TEXT_TYPES:
        raw = _decode_text(content)
    else:
        raise _unsupported(f"of type {media_type or 'unknown'}")
    return tidy(raw)


def tidy(text: str) -> str:
    """Unix line endings, no trailing spaces, no control characters, single blank lines."""
    text = re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n")


def _docx_text(content: bytes, limits: HeavyLimits) -> str:
    # Imported here so that detecting a type does not pay for loading lxml.
    import docx

    members = _zip_members(content)
    if members is None:
        raise Invalid("The Word document is damaged: it is not a readable zip package.")
    check_zip_package(list(members.values()), limits, "The Word document")
    try:
        document = docx.Document(io.BytesIO(content))
        return "\n".join(_docx_blocks(document))
    except Exception as exc:  # any parser failure on a hostile file is the file's fault
        raise Invalid("The Word document is damaged and its text cannot be read.") from exc


def _docx_blocks(container: Any) -> Iterator[str]:
    """Paragraphs and table cells in document order; a merged cell is read once."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            # Keyed by id, holding the element: a freed lxml proxy's id can be reused.
            seen: dict[int, Any] = {}
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen[id(cell._tc)] = cell._tc
                        yield from _docx_blocks(cell)
        else:
            yield _paragraph_text(block)


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph as it reads with its tracked changes accepted (NCT 4.1 v: amendments come
    tracked): inserted text kept, deleted text left out. python-docx's own ``text`` skips
    both, so a tracked draft lost every insertion; untracked paragraphs are read by it."""
    from docx.oxml.ns import qn

    element = paragraph._p
    if element.find(".//" + qn("w:ins")) is None and element.find(".//" + qn("w:moveTo")) is None:
        return str(paragraph.text)
    skipped = {qn("w:del"), qn("w:moveFrom")}
    marks = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
    parts = []
    for node in element.iter(qn("w:t"), *marks):
        if any(ancestor.tag in skipped for ancestor in node.iterancestors()):
            continue
        parts.append(node.text or "" if node.tag == qn("w:t") else marks[node.tag])
    return "".join(parts)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        # Many PDFs are encrypted with an empty password only to restrict printing or editing.
        is_locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if is_locked else list(reader.pages)
    except Exception as exc:
        raise Invalid("The PDF is damaged or incomplete and cannot be read.") from exc
    if is_locked:
        raise Invalid("The PDF is password-protected; upload a copy without a password.")
    texts: list[str] = []
    for page in pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # one bad page should not lose the others
            continue
    if not texts:
        raise Invalid("The PDF is damaged: it has no page that can be read.")
    # A scanned PDF has pages but no text: that is "", not an error.
    return "\n\n".join(texts)


# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th",
    "tr", "ul",
})
# fmt: on
# The title is shown in the browser tab, not the page; it usually repeats the <h1>.
_HIDDEN_TAGS = frozenset({"script", "style", "template", "noscript", "title"})


class _VisibleText(HTMLParser):
    """Collects the text a reader would see; block elements end a line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            # Outside <pre>, HTML renders any run of whitespace as one space.
            self.parts.append(data if self._pre else re.sub(r"[ \t\r\n\f]+", " ", data))


def _html_text(markup: str) -> str:
    parser = _VisibleText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception as exc:
        raise Invalid("The HTML file cannot be read.") from exc
    # One paragraph per line, as for Word documents.
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
