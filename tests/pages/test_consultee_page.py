"""The external consultee's page, `/consultations/respond?token=...`, where the invitation
email links (services/notifier/email.py): the consultation, the draft, the response form, the
response kept and changeable until the close; a link that does not work is a page that says so.

Cafcass 4.7: "keep a record of every response"; partner agencies and the public have no
account, so the page is their only way in.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from httpx import AsyncClient
from sqlalchemy import select, update

from services.domain.models.consultations import Consultation, ConsultationResponse, Consultee
from services.domain.settings import Settings
from services.pages.consultations.router import _closes
from tests.api.test_consultation_links import move_close
from tests.factories import World
from tests.pages.consultee_support import form_token, partner_link

GOOD = {"position": "object", "comments": "Section 3 needs a named lead.", "answer-workable": "no"}


async def _saved(world: World, consultation_id: str) -> list[ConsultationResponse]:
    async with world.sessionmaker() as session:
        found = await session.execute(
            select(ConsultationResponse).where(
                ConsultationResponse.consultation_id == uuid.UUID(consultation_id)
            )
        )
        return [r for r in found.scalars() if r.position != "deemed_agreement"]


async def test_the_page_shows_the_consultation_the_draft_and_the_form(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, page = await partner_link(client, world, settings)

    shown = await client.get(page)

    assert shown.status_code == 200, shown.text
    html = shown.text
    assert '<h1 class="govuk-heading-l">Allegations procedure: draft for partners</h1>' in html
    assert "We are changing how allegations are handled." in html
    assert '<p class="govuk-body">Please tell us what you think.</p>' in html
    closes = datetime.fromisoformat(consultation["closes_at"]).astimezone(UTC)
    assert "Respond</dt>" in html and str(closes.year) in html
    assert "Draft procedure text." in html  # the version's text, on the page
    assert f"/v1/consultation-links/{page.split('token=')[1]}/draft" in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Do you support' in html
    assert "Is the procedure workable?" in html and "Which area do you work in? (optional)" in html
    assert 'id="answer-area"' in html and 'value="North"' in html
    assert "Send response" in html
    assert shown.headers["referrer-policy"] == "no-referrer"
    draft = await client.get(f"/v1/consultation-links/{page.split('token=')[1]}/draft")
    assert draft.content == b"Draft procedure text."


async def test_a_post_with_errors_shows_each_on_its_field_and_saves_nothing(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, page = await partner_link(client, world, settings)
    token = form_token((await client.get(page)).text)

    nothing = await client.post(page, data={"form_token": token})
    assert nothing.status_code == 400
    assert nothing.text.count("<title>Error: ") == 1
    assert '<a href="#position">Select whether you support the draft.</a>' in nothing.text
    assert "Answer the question" in nothing.text and 'href="#answer-workable"' in nothing.text

    # The domain's own rule: an objection says why.
    objection = await client.post(page, data={"form_token": token, "position": "object"})
    assert '<a href="#comments">Say why you object.</a>' in objection.text
    assert 'aria-describedby="comments-hint comments-error"' in objection.text
    # What was typed stays in the form.
    assert 'value="object" checked' in objection.text

    wrong = await client.post(
        page, data={**GOOD, "form_token": token, "answer-area": "East", "comments": "x" * 20_001}
    )
    assert '<a href="#answer-area">The answer to' in wrong.text
    assert '<a href="#comments">Your comments must be 20,000 characters' in wrong.text
    assert await _saved(world, consultation["id"]) == []


async def test_a_post_needs_the_pages_form_token(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, page = await partner_link(client, world, settings)
    forged = await client.post(page, data=GOOD)
    assert forged.status_code == 403
    assert "This form was not sent from this service" in forged.text
    assert await _saved(world, consultation["id"]) == []


async def test_a_response_is_saved_shown_and_changed_until_the_close(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, page = await partner_link(client, world, settings)
    token = form_token((await client.get(page)).text)

    sent = await client.post(page, data={**GOOD, "form_token": token})
    assert sent.status_code == 303
    assert sent.headers["location"] == page + "&saved=1"
    done = await client.get(sent.headers["location"])
    assert "govuk-panel--confirmation" in done.text and "Response saved" in done.text
    assert "I object to the draft" in done.text and "Section 3 needs a named lead." in done.text
    assert "Change your response" in done.text and 'value="object" checked' in done.text

    changed = await client.post(
        page, data={**GOOD, "position": "support", "comments": "", "form_token": token}
    )
    assert changed.status_code == 303
    [saved] = await _saved(world, consultation["id"])
    assert (saved.position, saved.comments, saved.amendments) == ("support", "", 1)
    assert saved.answers == {"workable": False}

    await move_close(world, consultation["id"], datetime.now(UTC) - timedelta(minutes=1))
    closed = await client.get(page)
    assert closed.status_code == 200
    assert "can no longer be changed" in closed.text and "<form" not in closed.text
    late = await client.post(page, data={**GOOD, "form_token": token})
    assert late.status_code == 409
    assert "the response given in time stands" in late.text
    [kept] = await _saved(world, consultation["id"])
    assert kept.position == "support"


async def test_a_link_that_does_not_work_says_so_in_a_page(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, page = await partner_link(client, world, settings)

    wrong = await client.get(page[:-3] + "xyz")
    assert wrong.status_code == 404
    assert wrong.headers["content-type"].startswith("text/html")
    assert "This link does not work" in wrong.text

    missing = await client.get("/consultations/respond")
    assert missing.status_code == 400 and "This link is not complete" in missing.text

    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Consultee)
            .where(Consultee.consultation_id == uuid.UUID(consultation["id"]))
            .values(link_revoked_at=datetime.now(UTC))
        )
    withdrawn = await client.get(page)
    assert withdrawn.status_code == 403
    assert "This consultation link has been withdrawn." in withdrawn.text


def test_the_close_is_said_in_london_words() -> None:
    # A close at midnight (London) is the end of the day before; any other time is said.
    at_midnight = Consultation(closes_at=datetime(2026, 7, 1, 23, 0, tzinfo=UTC))  # BST
    assert _closes(at_midnight) == "by the end of Wednesday 1 July 2026"
    afternoon = Consultation(closes_at=datetime(2026, 12, 8, 17, 30, tzinfo=UTC))  # GMT
    assert _closes(afternoon) == "by 5:30pm on Tuesday 8 December 2026"
    noon = Consultation(closes_at=datetime(2026, 12, 8, 12, 0, tzinfo=UTC))
    assert _closes(noon) == "by midday on Tuesday 8 December 2026"
