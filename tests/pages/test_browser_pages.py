"""The pages for people without an account in a real browser: headless Chromium opens the
links the emails carry, against the app served by uvicorn, submits a consultation response
(with an error first), changes it, and confirms an acknowledgement; axe-core finds no serious
or critical WCAG 2.2 AA violation in any state of any page, errors included. A browser with
JavaScript turned off does the same, because the pages use none.

Cafcass 4.7: "keep a record of every response"; issue 19, item 9: "the external consultee's
page (read the consultation and the draft, respond, change the response until the close) and
the acknowledgement page that email links open".
"""

from __future__ import annotations

import uuid

from httpx import AsyncClient
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from services.domain.models.acknowledgements import Acknowledgement, AcknowledgementStatus
from services.domain.models.consultations import ConsultationResponse
from services.domain.settings import Settings
from tests.factories import World
from tests.pages.acknowledgement_support import ask_reader
from tests.pages.browser import assert_accessible, choose, submit, text_of, type_into
from tests.pages.consultee_support import partner_link


async def _response(world: World, consultation_id: str) -> ConsultationResponse | None:
    async with world.sessionmaker() as session:
        return (
            await session.execute(
                select(ConsultationResponse).where(
                    ConsultationResponse.consultation_id == uuid.UUID(consultation_id),
                    ConsultationResponse.position != "deemed_agreement",
                )
            )
        ).scalar_one_or_none()


async def _acknowledgement(world: World, acknowledgement_id: uuid.UUID) -> Acknowledgement:
    async with world.sessionmaker() as session:
        row = await session.get(Acknowledgement, acknowledgement_id)
        assert row is not None
        return row


def _respond_with_an_error_first(browser: WebDriver, *, check: bool) -> None:
    submit(browser)  # nothing chosen
    assert browser.title.startswith("Error: ")
    summary = text_of(browser, ".govuk-error-summary")
    assert "Select whether you support the draft." in summary
    assert "Answer the question 'Is the procedure workable?'." in summary
    if check:
        assert_accessible(browser, "the consultee's page with errors")
    # The summary's link takes the person to the field.
    browser.find_element(By.LINK_TEXT, "Select whether you support the draft.").click()
    assert browser.current_url.endswith("#position")
    choose(browser, "position-3")  # I object to the draft
    choose(browser, "answer-workable-2")  # No
    submit(browser)  # an objection says why: the domain's rule, on its field
    assert "Say why you object." in text_of(browser, ".govuk-error-summary")
    assert "Say why you object." in text_of(browser, "#comments-error")
    if check:
        assert_accessible(browser, "the consultee's page with a comments error")
    type_into(browser, "comments", "Section 3 needs a named lead.")
    submit(browser)


async def test_a_consultee_responds_and_changes_the_response_in_a_browser(
    client: AsyncClient, world: World, settings: Settings, live_api: str, browser: WebDriver
) -> None:
    consultation, page = await partner_link(client, world, settings)

    browser.get(live_api + page)
    assert browser.find_element(By.TAG_NAME, "h1").text == consultation["title"]
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en-GB"
    assert_accessible(browser, "the consultee's page")
    _respond_with_an_error_first(browser, check=True)

    assert text_of(browser, ".govuk-panel__title") == "Response saved"
    assert "saved=1" in browser.current_url  # Post/Redirect/Get: a reload posts nothing
    assert_accessible(browser, "the consultee's page after saving")
    saved = await _response(world, consultation["id"])
    assert saved is not None and (saved.position, saved.comments) == (
        "object",
        "Section 3 needs a named lead.",
    )

    choose(browser, "position")  # I support the draft
    type_into(browser, "comments", "")
    choose(browser, "answer-workable")  # Yes
    choose(browser, "answer-area-2")  # South
    submit(browser)
    assert text_of(browser, ".govuk-panel__title") == "Response saved"
    assert "I support the draft" in text_of(browser, "main")
    changed = await _response(world, consultation["id"])
    assert changed is not None
    assert (changed.position, changed.amendments) == ("support", 1)
    assert changed.answers == {"workable": True, "area": "South"}


async def test_a_person_confirms_an_acknowledgement_in_a_browser(
    client: AsyncClient, world: World, settings: Settings, live_api: str, browser: WebDriver
) -> None:
    acknowledgement_id, page = await ask_reader(client, world, settings)

    browser.get(live_api + page)
    assert "Confirm by" in text_of(browser, ".govuk-summary-list")
    assert_accessible(browser, "the acknowledgement page")
    submit(browser)
    assert text_of(browser, ".govuk-panel__title") == "Confirmation recorded"
    assert_accessible(browser, "the acknowledgement page after confirming")
    row = await _acknowledgement(world, acknowledgement_id)
    assert (row.status, row.via) == (AcknowledgementStatus.CONFIRMED, "link")


async def test_a_link_that_does_not_work_is_an_accessible_page(
    live_api: str, browser: WebDriver
) -> None:
    browser.get(f"{live_api}/consultations/respond?token={uuid.uuid4().hex}.wrong")
    assert browser.find_element(By.TAG_NAME, "h1").text == "This link does not work"
    assert_accessible(browser, "the problem page")


async def test_the_forms_work_with_javascript_turned_off(
    client: AsyncClient,
    world: World,
    settings: Settings,
    live_api: str,
    browser_without_javascript: WebDriver,
) -> None:
    browser = browser_without_javascript
    # The browser really runs no page script: this one would have said "on".
    browser.get("data:text/html,<p id=s>off</p><script>s.textContent='on'</script>")
    assert text_of(browser, "#s") == "off"
    consultation, page = await partner_link(client, world, settings)
    acknowledgement_id, acknowledge = await ask_reader(client, world, settings)

    browser.get(live_api + page)
    _respond_with_an_error_first(browser, check=False)
    assert text_of(browser, ".govuk-panel__title") == "Response saved"
    saved = await _response(world, consultation["id"])
    assert saved is not None and saved.position == "object"

    browser.get(live_api + acknowledge)
    submit(browser)
    assert text_of(browser, ".govuk-panel__title") == "Confirmation recorded"
    row = await _acknowledgement(world, acknowledgement_id)
    assert row.status == AcknowledgementStatus.CONFIRMED
