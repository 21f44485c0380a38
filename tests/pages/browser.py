"""Headless Chromium for the pages' tests: Debian's `chromium` and `chromium-driver` (make test
installs them), driven through Selenium, and axe-core (pinned in
services/pages/frontend/package-lock.json) run in the page as it stands."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

FRONTEND = Path(__file__).resolve().parents[2] / "services" / "pages" / "frontend"
AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 A and AA, as GOV.UK services are assessed.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = ("serious", "critical")


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        f"{' or '.join(names)} is missing: the pages' browser tests need Debian's chromium and "
        "chromium-driver (`make chromium`, or apt-get install chromium chromium-driver)"
    )


def chromium(*, javascript: bool = True) -> WebDriver:
    """Headless Chromium; with ``javascript=False`` the pages' scripts are off, as for a
    person who turned them off (the WebDriver's own scripts still run)."""
    options = webdriver.ChromeOptions()
    options.binary_location = _binary("chromium", "chromium-browser")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container has no user namespace for the sandbox
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1600",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    driver = webdriver.Chrome(options=options, service=Service(_binary("chromedriver")))
    driver.set_page_load_timeout(30)
    return driver


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str | None
    help: str
    targets: list[str]


def axe_violations(driver: WebDriver) -> list[Violation]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in {FRONTEND} (make test does)")
    driver.execute_script(AXE.read_text(encoding="utf-8") + "\nreturn true;")
    found: list[dict[str, Any]] = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
          .then(r => done(r.violations.map(v => ({
            rule: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(" "))}))))
          .catch(e => done([
            {rule: "axe-error", impact: "critical", help: String(e), targets: []}]));
        """,
        AXE_TAGS,
    )
    return [Violation(**v) for v in found]


def assert_accessible(driver: WebDriver, state: str) -> None:
    """No serious or critical axe-core violation in ``state`` (named in the failure)."""
    serious = [v for v in axe_violations(driver) if v.impact in SERIOUS]
    assert serious == [], f"{state}: {serious}"


def text_of(driver: WebDriver, selector: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, selector).text)


def choose(driver: WebDriver, field_id: str) -> None:
    """Click a radio's or a checkbox's label, as a person does (GOV.UK hides the input)."""
    driver.find_element(By.CSS_SELECTOR, f"label[for='{field_id}']").click()


def type_into(driver: WebDriver, field_id: str, text: str) -> None:
    field = driver.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text)


def submit(driver: WebDriver) -> None:
    """Press the form's button and wait for the page the post answers with (or redirects to)."""
    before = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
    WebDriverWait(driver, 20).until(staleness_of(before))
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
