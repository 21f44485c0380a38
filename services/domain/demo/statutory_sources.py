"""The demo's statutory sources (demo/statutory_sources.json), through the domain's own
functions as the organisation's policy team: Working Together 2023 and the Children Act 1989
for the children's trusts and Dorset's children's services, Ofsted's ILACS framework, and the
Care Act 2014 statutory guidance for LBBD's adult social care, each linked to the documents
that depend on it (NCT 3.2: a change to one calls for an unscheduled review of them). No
change is recorded: the first one is the demo's to make (``POST .../changes``)."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.models.documents import Document
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person, PersonRole
from services.domain.models.statutory_sources import (
    SourceKind,
    StatutorySource,
    StatutorySourceLink,
)
from services.domain.statutory_sources import service
from services.domain.statutory_sources.commands import NewLink, NewSource


def load_sources(slug: str) -> list[dict[str, Any]]:
    """The organisation's sources (demo/statutory_sources.json), if it has any."""
    found = resources.files("services.domain.demo").joinpath("statutory_sources.json")
    data: dict[str, Any] = json.loads(found.read_text(encoding="utf-8"))
    sources: list[dict[str, Any]] = data.get(slug, [])
    return sources


async def _policy_officer(session: AsyncSession, organisation_id: uuid.UUID) -> uuid.UUID | None:
    rows = await session.execute(
        select(Person.id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.organisation_id == organisation_id, PersonRole.role == "policy_officer")
        .order_by(Person.email)
        .limit(1)
    )
    return rows.scalar_one_or_none()


async def seed_statutory_sources(
    session: AsyncSession, org: Organisation, by_reference: dict[str, Document]
) -> tuple[int, int]:
    """Each source and link not yet there, made by the policy team; (sources, links) made."""
    wanted = load_sources(org.slug)
    if not wanted:
        return 0, 0
    officer = await _policy_officer(session, org.id)
    by = Principal.system(org.id, "seed-demo", person_id=officer)
    existing = {
        s.title: s
        for s in (
            await session.execute(
                select(StatutorySource).where(StatutorySource.organisation_id == org.id)
            )
        ).scalars()
    }
    made_sources = made_links = 0
    for spec in wanted:
        source = existing.get(spec["title"])
        if source is None:
            command = NewSource(
                title=spec["title"],
                kind=SourceKind(spec["kind"]),
                url=spec["url"],
                publisher=spec.get("publisher", ""),
                feed_url=spec.get("feed_url"),
            )
            source = await service.create_source(session, by, command)
            made_sources += 1
        linked = set(
            (
                await session.execute(
                    select(StatutorySourceLink.document_id).where(
                        StatutorySourceLink.source_id == source.id
                    )
                )
            ).scalars()
        )
        for link in spec["links"]:
            document = by_reference[link["reference"]]
            if document.id in linked:
                continue
            await service.link_document(
                session, by, source.id, NewLink(document_id=document.id, reason=link["reason"])
            )
            made_links += 1
    return made_sources, made_links
