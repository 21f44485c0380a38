"""The template gate (Dorset aim v): a draft of a kind with a template has every heading the
template asks for. "Dorset Council's policies must use the council's policy template." A kind
with no template passes; a pure read of the draft's text."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.documents.templates import missing_headings, template_for_key
from services.domain.models.documents import Document, DocumentVersion


async def template_followed(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> tuple[bool, str]:
    """Met or not, and in words why."""
    found = await template_for_key(session, document.organisation_id, document.kind)
    if found is None:
        return True, f"Met: no template is set for the kind {document.kind!r}."
    kind, template = found
    await session.refresh(version, attribute_names=["text"])
    missing = missing_headings(version.text, template.required_headings)
    if missing:
        return False, (
            f"Version {version.number} does not follow the {kind.label} template: it has no "
            f"heading {', '.join(repr(h) for h in missing)}. Start from the template "
            f"(GET /v1/document-kinds/{kind.id}/template/file) and keep its headings."
        )
    return True, f"Met: version {version.number} has every heading of the {kind.label} template."
