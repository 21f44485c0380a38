"""The amendment pack as one printable, self-contained HTML page: a front page, then each
document with its change summary and its changed sections, <ins> and <del> styled inline."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from services.domain.calendar.words import long_date, long_datetime
from services.domain.text import escaping_templates

if TYPE_CHECKING:
    from jinja2 import Environment

    from services.domain.amendment_packs.contents import PackContents
    from services.domain.amendment_packs.render import Counts, Redlined

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """Built once per process; the texts are whatever authors wrote: everything is escaped."""
    env = escaping_templates(TEMPLATES)
    env.filters["long_date"] = long_date
    env.filters["long_datetime"] = long_datetime
    return env


def pack_html(pack: PackContents, documents: list[Redlined], counts: Counts) -> str:
    """The pack as a page to read, print or paste from."""
    template = environment().get_template("pack.html.j2")
    return template.render(pack=pack, documents=documents, counts=counts)
