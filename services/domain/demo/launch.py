"""The demo's launch and cascade (demo/launch.json), through the domain's own rules by the
people it names: each organisation's digest frequency and subscribers, and communication plans,
some sent, one gone unsent (so the first sweep reminds its owner).

LBBD 10: team meetings, service meetings and the ASC newsletter. Birmingham 11: Trix news and
the weekly email. Cafcass 7.1: Regional Directors and Service Managers, then Channel C, written
with the final draft of POL-002 for ECMT. Dorset 5.2: the monthly Quality Assurance Newsletter
and the Hub page.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import london_today
from services.domain.demo.acting import acting_as
from services.domain.launch import plans, subscriptions
from services.domain.launch.commands import DigestChoice, NewPlanItem, PlanItemSent
from services.domain.models.documents import Document
from services.domain.models.launch import Channel, CommunicationPlanItem, DigestSubscription
from services.domain.models.organisations import Organisation


def load_launch(slug: str) -> dict[str, Any] | None:
    """The organisation's launch data (demo/launch.json), if it has any."""
    found = resources.files("services.domain.demo").joinpath("launch.json")
    data: dict[str, Any] = json.loads(found.read_text(encoding="utf-8"))
    return data.get(slug)


async def seed_launch(
    session: AsyncSession,
    org: Organisation,
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> tuple[int, int]:
    """The digest setting, each subscription and plan item not yet there; (items made,
    subscriptions made)."""
    spec = load_launch(org.slug)
    if spec is None:
        return 0, 0
    org.digest_frequency = spec["digest"]["frequency"]
    org.digest_weekday = spec["digest"]["weekday"]
    made = 0
    for wanted in spec["subscriptions"]:
        person_id = by_email[wanted["email"]]
        exists = await session.execute(
            select(DigestSubscription.id).where(DigestSubscription.person_id == person_id)
        )
        if exists.first() is None:
            choice = DigestChoice(
                service_areas=tuple(wanted["service_areas"]), kinds=tuple(wanted["kinds"])
            )
            await subscriptions.subscribe(session, acting_as(org.id, person_id), person_id, choice)
            made += 1
    items = 0
    for wanted in spec["plans"]:
        items += await _seed_item(session, org.id, wanted, by_reference, by_email)
    return items, made


async def _seed_item(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    wanted: dict[str, Any],
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    document = by_reference[wanted["reference"]]
    exists = await session.execute(
        select(CommunicationPlanItem.id).where(
            CommunicationPlanItem.document_id == document.id,
            CommunicationPlanItem.audience == wanted["audience"],
            CommunicationPlanItem.channel == wanted["channel"],
        )
    )
    if exists.first() is not None:
        return 0
    owner = by_email[wanted["owner_email"]]
    command = NewPlanItem(
        audience=wanted["audience"],
        channel=Channel(wanted["channel"]),
        channel_name=wanted["channel_name"],
        planned_on=london_today() + timedelta(days=wanted["planned_in_days"]),
        service_areas=tuple(wanted.get("service_areas", ())),
        owner_id=owner,
        note=wanted.get("note", ""),
    )
    by = acting_as(organisation_id, owner)
    item = await plans.add_item(session, by, document.id, wanted["version"], command)
    sent = wanted.get("sent")
    if sent is not None:
        sender = acting_as(organisation_id, by_email[sent["by_email"]])
        await plans.mark_sent(
            session, sender, document, item, PlanItemSent(note=sent["note"]), expected_version=None
        )
    return 1
