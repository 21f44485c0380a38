"""The demo's templates of kinds of document (Dorset aim v), set through the domain's own rules:
a Markdown file to start a draft from, the guidelines, and the headings the drafts must keep."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.documents import templates
from services.domain.models.documents import DocumentKind


async def seed_templates(
    session: AsyncSession, organisation_id: uuid.UUID, listed: list[dict[str, Any]]
) -> int:
    """The templates the data file gives, for kinds that have none yet; how many were set."""
    system = Principal.system(organisation_id, "seed-demo")
    created = 0
    for spec in listed:
        kind = (
            await session.execute(
                select(DocumentKind).where(
                    DocumentKind.organisation_id == organisation_id,
                    DocumentKind.key == spec["kind"],
                )
            )
        ).scalar_one()
        if await templates.template_of(session, kind) is not None:
            continue
        await templates.set_template(
            session,
            system,
            kind.id,
            filename=spec["filename"],
            content=spec["text"].encode(),
            declared_media_type="text/markdown",
            guidelines=spec.get("guidelines", ""),
            required_headings=spec["required_headings"],
            max_bytes=1_000_000,
        )
        created += 1
    return created
