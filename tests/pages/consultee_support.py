"""An open consultation with an external partner and questions, for the consultee page's tests."""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient

from services.domain.settings import Settings
from tests.api.test_consultation_links import consult_partner, token_of
from tests.factories import World

LETTER = "We are changing how allegations are handled.\n\nPlease tell us what you think."
QUESTIONS = [
    {"key": "workable", "text": "Is the procedure workable?", "kind": "yes_no", "required": True},
    {
        "key": "area",
        "text": "Which area do you work in?",
        "kind": "choice",
        "options": ["North", "South"],
    },
    {"key": "other", "text": "Anything else?", "kind": "text"},
]


async def partner_link(
    client: AsyncClient, world: World, settings: Settings
) -> tuple[dict[str, Any], str]:
    """An open consultation with the letter and the questions; (consultation, page address)."""
    consultation, partner = await consult_partner(
        client,
        world,
        title="Allegations procedure: draft for partners",
        description=LETTER,
        questions=QUESTIONS,
    )
    return consultation, f"/consultations/respond?token={token_of(settings, partner)}"


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)
