"""The page a read-and-acknowledge email links to, `/acknowledgements/respond?token=...`: the
document, its version, a link to read it, the due date and a button to confirm it was read
and understood; a confirmation panel after; an ended ask says so and confirms nothing.

Every seed asks that staff confirm they have read and understood a policy (issue 19, item 1);
Dorset's members confirm they have read the papers (7.4).
"""

from __future__ import annotations

import uuid

from httpx import AsyncClient

from services.domain.acknowledgements import asking
from services.domain.authz.principal import Principal
from services.domain.models.acknowledgements import Acknowledgement, AcknowledgementStatus
from services.domain.settings import Settings
from tests.factories import World
from tests.pages.acknowledgement_support import ISSUED_TEXT, ask_reader
from tests.pages.consultee_support import form_token


async def _row(world: World, acknowledgement_id: uuid.UUID) -> Acknowledgement:
    async with world.sessionmaker() as session:
        row = await session.get(Acknowledgement, acknowledgement_id)
        assert row is not None
        return row


async def test_the_page_shows_the_version_its_due_date_and_the_confirm_button(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    _, page = await ask_reader(client, world, settings)

    shown = await client.get(page)

    assert shown.status_code == 200, shown.text
    html = shown.text
    assert "Allegations against staff</h1>" in html
    assert "PROC-7: Allegations against staff" in html
    assert "Version</dt>" in html and "1.0" in html
    assert "Confirm by</dt>" in html
    assert "Please read the new section on timescales." in html
    assert ISSUED_TEXT.decode() in html
    assert "I have read and understood it</button>" in html
    token = page.split("token=")[1]
    read = await client.get(f"/v1/acknowledgement-links/{token}/document")
    assert read.status_code == 200 and read.content == ISSUED_TEXT
    assert read.headers["content-disposition"] == 'attachment; filename="allegations.txt"'


async def test_confirming_records_it_once_and_shows_the_panel(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    acknowledgement_id, page = await ask_reader(client, world, settings)
    token = form_token((await client.get(page)).text)

    forged = await client.post(page, data={})
    assert forged.status_code == 403
    assert (await _row(world, acknowledgement_id)).status == AcknowledgementStatus.PENDING

    confirmed = await client.post(page, data={"form_token": token})
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == page + "&done=1"
    done = await client.get(confirmed.headers["location"])
    assert "govuk-panel--confirmation" in done.text and "Confirmation recorded" in done.text
    assert "<form" not in done.text
    row = await _row(world, acknowledgement_id)
    assert (row.status, row.via) == (AcknowledgementStatus.CONFIRMED, "link")
    again = await client.get(page)
    assert "You have already confirmed" in again.text


async def test_an_ended_ask_says_so_and_confirms_nothing(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    acknowledgement_id, page = await ask_reader(client, world, settings)
    token = form_token((await client.get(page)).text)
    row = await _row(world, acknowledgement_id)
    async with world.sessionmaker() as session, session.begin():
        await asking.cancel(
            session,
            Principal.system(world.a.id, "the policy team, in a test"),
            row.request_id,
            "Sent to the wrong team.",
        )

    shown = await client.get(page)
    assert shown.status_code == 200
    assert "no longer asked of you" in shown.text and "<form" not in shown.text
    late = await client.post(page, data={"form_token": token})
    assert late.status_code == 409
    assert (await _row(world, acknowledgement_id)).status == AcknowledgementStatus.CANCELLED


async def test_a_wrong_acknowledgement_link_is_a_404_page(client: AsyncClient) -> None:
    wrong = await client.get(f"/acknowledgements/respond?token={uuid.uuid4().hex}.nope")
    assert wrong.status_code == 404
    assert "This link does not work" in wrong.text
    assert wrong.headers["cache-control"] == "no-store"
