"""A stored version's file, sent from a page as a download."""

from __future__ import annotations

from starlette.responses import Response

from services.domain.models.documents import DocumentVersion


def attachment(version: DocumentVersion, content: bytes) -> Response:
    """The file as an attachment with its stored media type; its name kept to ASCII so that
    the header cannot be broken by what was uploaded."""
    name = version.filename.encode("ascii", "replace").decode().replace('"', "'")
    return Response(
        content,
        media_type=version.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
