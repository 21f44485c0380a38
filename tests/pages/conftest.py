"""A live API (uvicorn in its own process, on the test database: the clients' tests' own
fixture) and headless Chromium for the pages' browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

# The app served by uvicorn as `make run` serves it, on the world fixture's database.
from tests.clients.conftest import live_api
from tests.pages.browser import chromium

__all__ = ["browser", "browser_without_javascript", "live_api"]


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def browser_without_javascript() -> Iterator[WebDriver]:
    driver = chromium(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()
