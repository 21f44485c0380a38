"""Answering with the file of a document version, byte for byte as uploaded."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import Response

from services.api.errors import COMMON_RESPONSES
from services.domain.documents.text import ACCEPTED_MEDIA_TYPES

# Read from the S3 store, a file is checked against its recorded hash: a missing or altered
# one is a problem (services/domain/documents/files.py), on every answer that holds files.
STORED_FILE_DAMAGED: dict[int | str, dict[str, Any]] = {
    502: {
        "model": COMMON_RESPONSES[503]["model"],
        "content": COMMON_RESPONSES[503]["content"],
        "description": "A stored file is missing or does not match its recorded hash.",
    }
}


def file_responses(description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a download: any media type a version can be stored as, as it was stored."""
    return {
        200: {
            "description": description,
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in ACCEPTED_MEDIA_TYPES
            },
        },
        **STORED_FILE_DAMAGED,
    }


class StoredFile(Protocol):
    """A file kept as uploaded: a document version, a kind's template."""

    filename: str
    media_type: str
    sha256: str


def version_file(version: StoredFile, content: bytes) -> Response:
    """The file as an attachment, with its stored media type and its hash as the ETag."""
    safe_name = version.filename.encode("ascii", "replace").decode().replace('"', "'")
    return Response(
        content,
        media_type=version.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "ETag": f'"{version.sha256}"',
        },
    )
