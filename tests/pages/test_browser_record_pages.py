"""Every page a staff email links to, in a real browser (issue 19, item 9): headless Chromium
opens each link as the notifier wrote it, against the app served by uvicorn, and axe-core finds
no serious or critical WCAG 2.2 AA violation on any of them; the digest is stopped from its
page with JavaScript turned off."""

from __future__ import annotations

from urllib.parse import urlsplit

from httpx import AsyncClient
from selenium.webdriver.remote.webdriver import WebDriver

from services.domain.settings import Settings
from tests.factories import World
from tests.pages.browser import assert_accessible, submit, text_of
from tests.pages.email_links_support import BASE_URL, build_records
from tests.pages.test_email_links import rendered_links


async def test_every_page_an_email_links_to_is_accessible(
    client: AsyncClient, world: World, settings: Settings, live_api: str, browser: WebDriver
) -> None:
    records = await build_records(client, world, settings, acknowledgement=True)
    found = rendered_links(settings, world, records)
    opened = 0
    for path, sent in sorted(found.items()):
        if path.endswith("/paper"):
            continue  # a file to save, not a page
        _, link = sorted(sent)[0]
        browser.get(live_api + link.removeprefix(BASE_URL))
        assert urlsplit(browser.current_url).path == path
        assert_accessible(browser, path)
        opened += 1
    assert opened >= 12


async def test_the_digest_stops_from_its_page_without_javascript(
    client: AsyncClient,
    world: World,
    settings: Settings,
    live_api: str,
    browser_without_javascript: WebDriver,
) -> None:
    reader = world.a.reader
    subscribed = await client.put(
        f"/v1/people/{reader.person_id}/digest-subscription", json={}, headers=reader.headers
    )
    assert subscribed.status_code in (200, 201), subscribed.text
    records = await build_records(client, world, settings)
    [(_, link)] = rendered_links(settings, world, records)["/digest-subscription"]
    browser = browser_without_javascript
    browser.get(live_api + link.removeprefix(BASE_URL))
    submit(browser)
    assert text_of(browser, ".govuk-panel__title") == "Your digest has stopped"
    gone = await client.get(
        f"/v1/people/{reader.person_id}/digest-subscription", headers=reader.headers
    )
    assert gone.status_code == 404
