"""The pages' Jinja2 environment: HTML escaped everywhere, a missing variable an error, and
dates in words as the emails write them (services/domain/calendar/words.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment
from starlette.responses import HTMLResponse

from services.domain.calendar.words import long_date, long_datetime
from services.domain.text import escaping_templates

TEMPLATES = Path(__file__).parent / "templates"
# Where the stylesheet's url()s point: GOV.UK Frontend's compiled CSS names /assets/fonts/...
ASSETS_PATH = "/assets"
STYLESHEET = "govuk-frontend.min.css"
STYLESHEET_PATH = f"{ASSETS_PATH}/{STYLESHEET}"


def paragraphs(text: str) -> list[list[str]]:
    """Typed text as paragraphs (split at blank lines), each a list of its lines: a page
    shows them as <p>s with <br>s, escaped, with no inline style."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block.split("\n") for block in blocks if block]


def _environment() -> Environment:
    # What people typed (a response, a covering letter) is shown escaped, always; stored text
    # may predate the text policy: no control character reaches a page.
    env = escaping_templates(TEMPLATES, "html")
    # 'Tuesday 8 December 2026' and 'Tuesday 8 December 2026, 10:00', in Europe/London.
    env.filters["long_date"] = long_date
    env.filters["long_datetime"] = long_datetime
    env.filters["paragraphs"] = paragraphs
    # An option that is its own label: radios take (value, label) pairs.
    env.filters["pair"] = lambda value: (value, value)
    env.globals["stylesheet_path"] = STYLESHEET_PATH
    return env


ENVIRONMENT = _environment()


def render(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """``template`` (a path under templates/) rendered with ``context``."""
    html = ENVIRONMENT.get_template(template).render(context)
    return HTMLResponse(html, status_code=status_code)
