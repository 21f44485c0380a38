"""Writing a paper-trail zip: plain, blocking code, run in a worker thread by ``paper_trail``.

The zip goes to an anonymous temporary file (deleted when it is closed, or when the process
drops it), one member at a time, so memory holds at most the member being written. Each
member's SHA-256 is taken as it is added, for the manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment

from services.domain.calendar.words import london_time, long_date, long_datetime
from services.domain.text import escaping_templates

TEMPLATES = Path(__file__).parent / "templates"
# Formats that are compressed already: deflating them again costs time and saves nothing.
STORED_SUFFIXES = (".docx", ".xlsx", ".pptx", ".pdf", ".zip", ".png", ".jpg", ".jpeg")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Member:
    path: str
    sha256: str
    bytes: int
    description: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_filename(name: str) -> str:
    """A file name that stays one file inside the zip, whatever was uploaded."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._() -]+", "_", base).strip(" .")
    return cleaned[:120] or "file"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: Any) -> bytes:
    """Readable, UTF-8 JSON (dates as ISO 8601, moments in UTC)."""
    return (json.dumps(value, default=_json_default, ensure_ascii=False, indent=2) + "\n").encode()


@cache
def environment() -> Environment:
    """The printable timeline's Jinja2 environment, built once per process."""
    # Summaries quote what people typed (comments, reasons): everything is escaped.
    env = escaping_templates(TEMPLATES)
    env.filters["long_date"] = long_date
    env.filters["long_datetime"] = long_datetime
    env.filters["london_clock"] = lambda moment: f"{london_time(moment):%H:%M}"
    return env


def render_html(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(**context).encode()


class Archive:
    """A zip being written to a temporary file. Not thread-safe: one writer at a time."""

    def __init__(self, produced_at: datetime) -> None:
        # Closed by finish()'s reader or discard(); deleted by the system as soon as it is.
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="policygov-paper-trail-")  # noqa: SIM115
        self.zip = zipfile.ZipFile(self.file, "w", allowZip64=True)
        # Every member carries the moment of the export (London time), not the clock of
        # whichever thread wrote it: the same content gives the same listing.
        local = london_time(produced_at)
        self.date_time = (
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            local.second,
        )
        self.members: list[Member] = []
        self.size = 0
        self.sha256 = ""

    def add(self, path: str, data: bytes, description: str) -> None:
        """Write a member and list it (with its SHA-256) for the manifest."""
        self.add_unlisted(path, data)
        self.members.append(Member(path, sha256(data), len(data), description))

    def add_unlisted(self, path: str, data: bytes) -> None:
        """Write a member the manifest does not list: the manifest itself, its checksums."""
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = (
            zipfile.ZIP_STORED if path.lower().endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
        )
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, data)

    def finish(self) -> None:
        """Close the zip, take its size and SHA-256, and rewind it for reading."""
        self.zip.close()
        digest = hashlib.sha256()
        self.file.seek(0)
        while chunk := self.file.read(CHUNK):
            digest.update(chunk)
        self.size = self.file.tell()
        self.sha256 = digest.hexdigest()
        self.file.seek(0)

    def discard(self) -> None:
        """Give up: the temporary file is deleted."""
        try:
            self.zip.close()
        finally:
            self.file.close()


def chunks(file: IO[bytes]) -> Any:
    """The file's bytes in chunks, closing (and so deleting) it at the end or on disconnect."""
    try:
        while chunk := file.read(CHUNK):
            yield chunk
    finally:
        file.close()
