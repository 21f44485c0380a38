"""The demo's read and acknowledge (demo/acknowledgements.json): people's service areas, a
document per organisation with its standing audience and an ask of its version in force, some
of it confirmed; and, at Dorset, members who have read the next PPP Group meeting's papers
(Dorset 7.4). Asked and confirmed through the domain's own rules; running it twice changes
nothing."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.acknowledgements import asking, audience, confirming, papers
from services.domain.acknowledgements.commands import AudienceSetting, NewAcknowledgementRequest
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.models.acknowledgements import Acknowledgement, AcknowledgementRequest
from services.domain.models.boards import Board
from services.domain.models.documents import Document
from services.domain.models.meetings import Meeting, MeetingStatus
from services.domain.models.people import Person


def load_acknowledgements(slug: str) -> dict[str, Any]:
    """An organisation's part of demo/acknowledgements.json (empty when it has none)."""
    text = (
        resources.files("services.domain.demo")
        .joinpath("acknowledgements.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text).get(slug, {})
    return data


def _as(organisation_id: uuid.UUID, person_id: uuid.UUID) -> Principal:
    return Principal.system(organisation_id, "seed-demo", person_id=person_id)


async def seed_acknowledgements(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    slug: str,
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    """People's service areas (where none is set), then each document's audience and ask not
    yet there, with its confirmations; how many asks were made."""
    spec = load_acknowledgements(slug)
    for email, area in spec.get("service_areas", {}).items():
        person = await session.get(Person, by_email[email])
        if person is not None and person.service_area is None:
            person.service_area = area
    await session.flush()
    made = 0
    for item in spec.get("acknowledgements", []):
        document = by_reference[item["reference"]]
        asked = await session.execute(
            select(AcknowledgementRequest.id).where(
                AcknowledgementRequest.document_id == document.id
            )
        )
        if asked.first() is not None:
            continue
        team = _as(organisation_id, by_email[spec["asked_by_email"]])
        await _ask(session, team, organisation_id, document, item, by_email)
        made += 1
    for item in spec.get("papers_read", []):
        await _papers_read(session, organisation_id, item, by_email)
    return made


async def _ask(
    session: AsyncSession,
    team: Principal,
    organisation_id: uuid.UUID,
    document: Document,
    item: dict[str, Any],
    by_email: dict[str, Any],
) -> None:
    boards = await session.execute(
        select(Board.id).where(
            Board.organisation_id == organisation_id, Board.name.in_(item.get("board_names", []))
        )
    )
    setting = AudienceSetting(
        person_ids=[by_email[e] for e in item.get("person_emails", [])],
        board_ids=list(boards.scalars()),
        service_areas=item.get("service_areas", []),
    )
    await audience.set_audience(session, team, document.id, setting)
    request = await asking.ask(
        session, team, document.id, NewAcknowledgementRequest(message=item["message"])
    )
    for email in item.get("confirmed_by", []):
        row = await session.execute(
            select(Acknowledgement.id).where(
                Acknowledgement.request_id == request.id,
                Acknowledgement.person_id == by_email[email],
            )
        )
        await confirming.confirm(session, _as(organisation_id, by_email[email]), row.scalar_one())


async def _papers_read(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    item: dict[str, Any],
    by_email: dict[str, Any],
) -> None:
    """The members named confirm they have read the papers of the board's next meeting."""
    meeting = (
        await session.execute(
            select(Meeting)
            .join(Board, Board.id == Meeting.board_id)
            .where(
                Board.organisation_id == organisation_id,
                Board.name == item["board_name"],
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > utcnow(),
            )
            .order_by(Meeting.starts_at)
            .limit(1)
        )
    ).scalar_one_or_none()
    if meeting is None:
        return
    for email in item["read_by"]:
        await papers.confirm_papers_read(session, _as(organisation_id, by_email[email]), meeting.id)
