"""Answering with the file of a document version, byte for byte as uploaded."""

from __future__ import annotations

from fastapi import Response

from services.domain.documents.models import DocumentVersion


def version_file(version: DocumentVersion, content: bytes) -> Response:
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
