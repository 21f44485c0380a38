""" "You said, we did" in a real browser: the public page and its changes, opened with no
account, pass axe-core (WCAG 2.2 AA), and a theme's change link lands on its paragraph."""

from __future__ import annotations

from httpx import AsyncClient
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.factories import World
from tests.pages.browser import assert_accessible, text_of
from tests.pages.test_summary_pages import _published


async def test_the_summary_and_its_changes_are_accessible_and_linked(
    client: AsyncClient, world: World, live_api: str, browser: WebDriver
) -> None:
    summary_id, _ = await _published(client, world)

    browser.get(f"{live_api}/you-said-we-did/{summary_id}")

    assert text_of(browser, "h1") == "You said, we did"
    pdf = browser.find_element(By.PARTIAL_LINK_TEXT, "Download this summary as a PDF")
    assert pdf.get_attribute("href").endswith(f"/you-said-we-did/{summary_id}/summary.pdf")
    assert_accessible(browser, "the summary")
    browser.find_element(By.CSS_SELECTOR, "a[href$='#change-p1']").click()
    assert browser.current_url.endswith(f"/you-said-we-did/{summary_id}/changes#change-p1")
    assert text_of(browser, "#change-p1") == "Paragraph 1 (reworded)"
    assert_accessible(browser, "the changes")
    back = browser.find_element(By.CSS_SELECTOR, "a.govuk-back-link")
    assert back.get_attribute("href").endswith(f"/you-said-we-did/{summary_id}")
