"""A version issued and the world's reader asked to read and acknowledge it, for the
acknowledgement page's tests."""

from __future__ import annotations

import uuid

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.acknowledgements import asking
from services.domain.acknowledgements.commands import Audience, NewAcknowledgementRequest
from services.domain.acknowledgements.confirming import link_token
from services.domain.authz.principal import Principal
from services.domain.models.acknowledgements import Acknowledgement
from services.domain.settings import Settings
from tests.api.boards_support import create_document_with_draft
from tests.factories import World

ISSUED_TEXT = b"Staff must record every allegation within one working day."


async def issued_document(client: AsyncClient, world: World, reference: str) -> str:
    """A procedure with version 1.0 issued (registered as issued, with its text)."""
    document_id, _ = await create_document_with_draft(client, world, reference)
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("allegations.txt", ISSUED_TEXT, "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return document_id


async def ask_reader(
    client: AsyncClient, world: World, settings: Settings, reference: str = "PROC-7"
) -> tuple[uuid.UUID, str]:
    """The reader asked to acknowledge the issued version; (acknowledgement id, page address)."""
    document_id = await issued_document(client, world, reference)
    async with world.sessionmaker() as session, session.begin():
        request = await asking.ask(
            session,
            Principal.system(world.a.id, "the policy team, in a test"),
            uuid.UUID(document_id),
            NewAcknowledgementRequest(
                audience=Audience(person_ids=[world.a.reader.person_id]),  # type: ignore[list-item]
                message="Please read the new section on timescales.",
            ),
        )
        acknowledgement_id = (
            await session.execute(
                select(Acknowledgement.id).where(Acknowledgement.request_id == request.id)
            )
        ).scalar_one()
    token = link_token(settings.keyring, acknowledgement_id)
    return acknowledgement_id, f"/acknowledgements/respond?token={token}"
