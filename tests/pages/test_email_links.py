"""Every link in every email opens a page (issue 19, item 9): "Every link in every email
template resolves in a default `make run` (a test renders each template and follows each link
against the test server)."

Each kind in the notifier's catalogue of sample contexts (tests/notifier/test_email.py) is
rendered for a real person about real records, with the app's own address as
``frontend_base_url`` (the default); every address in the plain text and the HTML is followed
against the app. Each must answer 200 with the page of the record it names. A template that
gains a link to a path with no page fails here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient

from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.email import render
from tests.factories import World
from tests.notifier.test_email import EVERY_SAMPLE, parts
from tests.pages.email_links_support import BASE_URL, PAPER, Records, build_records, pointed_at


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def links_in(text: str, html: str) -> set[str]:
    """Every address in both parts: the HTML's href and src, and any URL in either part."""
    parser = _Hrefs()
    parser.feed(html)
    urls = set(re.findall(r"https?://[^\s<>\"')]+", text + "\n" + html))
    return {link for link in {*parser.found, *urls} if not link.startswith("mailto:")}


def expectations(records: Records) -> list[tuple[str, Callable[[bytes], bool]]]:
    """Each page's path, and what proves it shows that record."""
    r = records
    return [
        (f"/documents/{r.document_id}", lambda body: r.reference.encode() in body),
        (f"/consultations/{r.consultation_id}", lambda b: r.consultation_title.encode() in b),
        (f"/consultations/{r.consultation_id}/report", lambda b: r.draft_reference.encode() in b),
        (f"/meetings/{r.meeting_id}", lambda body: r.board_name.encode() in body),
        (f"/agenda-items/{r.agenda_item_id}/paper", lambda body: body == PAPER),
        (f"/policy-requests/{r.request_id}", lambda body: r.request_title.encode() in body),
        (
            f"/sign-offs/{r.sign_off_id}",
            lambda b: b"Owner Approval" in b and f"the {r.board_name}".encode() in b,
        ),
        (f"/reviews/{r.review_id}", lambda body: r.reference.encode() in body),
        ("/tracker", lambda body: b"Documents by review status" in body),
        (f"/update-cycles/{r.cycle_id}", lambda body: r.cycle_name.encode() in body),
        # Launch and cascade: the plan item gone unsent, and the reader's digest subscription.
        (
            f"/communication-plan-items/{r.plan_item_id}",
            lambda b: b"Team and Service Managers" in b,
        ),
        ("/digest-subscription", lambda body: b"digest" in body),
        # "You said, we did": public, no token needed (services/pages/outcomes.py).
        (
            f"/you-said-we-did/{r.summary_id}",
            lambda b: b"You said, we did" in b and b"Three of you asked" in b,
        ),
        # The account-less pages (services/pages/consultations and acknowledgements).
        ("/consultations/respond", lambda body: r.consultation_title.encode() in body),
        ("/acknowledgements/respond", lambda body: b"Allegations against staff" in body),
    ]


def _variants() -> list[tuple[str, dict[str, Any]]]:
    """Every kind as sampled, and the consultation emails to an external consultee too."""
    found = [(kind, {}) for kind in sorted(EVERY_SAMPLE)]
    for kind in ("consultation.invited", "consultation.reminder"):
        found.append((kind, {"is_external": True, "link_version": 1}))
    return found


def rendered_links(
    settings: Settings, world: World, records: Records
) -> dict[str, set[tuple[str, str]]]:
    """{path: {(kind, address)}} for every link of every email, as sent to the world's reader."""
    sending = settings.model_copy(update={"frontend_base_url": BASE_URL})
    found: dict[str, set[tuple[str, str]]] = {}
    for kind, extra in _variants():
        external = bool(extra)
        if external:
            # To a consultee with no account: no person, their own consultee id.
            extra = {**extra, "consultee_id": records.consultee_id}
        notification = Notification(
            id=uuid.uuid4(),
            organisation_id=world.a.id,
            kind=kind,
            dedupe_key=f"test:{uuid.uuid4()}",
            recipient_person_id=None if external else world.a.reader.person_id,
            recipient_email=str(world.a.reader.email),
            context={**pointed_at(kind, EVERY_SAMPLE[kind], records), **extra},
        )
        for link in links_in(*parts(render(notification, sending))):
            assert link.startswith(f"{BASE_URL}/"), f"{kind} links outside the service: {link}"
            found.setdefault(urlsplit(link).path, set()).add((kind, link))
    return found


@pytest.fixture
async def links(client: AsyncClient, world: World, settings: Settings) -> tuple[Records, Any]:
    records = await build_records(client, world, settings, acknowledgement=True)
    return records, rendered_links(settings, world, records)


async def test_every_link_in_every_email_opens_the_page_of_its_record(
    client: AsyncClient, links: tuple[Records, dict[str, set[tuple[str, str]]]]
) -> None:
    records, found = links
    pages = dict(expectations(records))
    unknown = sorted(path for path in found if path not in pages)
    assert unknown == [], f"links to paths with no page: {unknown}"
    followed = 0
    for path, sent in sorted(found.items()):
        for kind, link in sorted(sent):
            response = await client.get(link)
            assert response.status_code == 200, (kind, link, response.text[:300])
            if not path.endswith("/paper"):
                assert response.headers["content-type"].startswith("text/html"), (kind, link)
            assert pages[path](response.content), f"{kind}: {link} shows another record"
            followed += 1
    # Every page is linked from some email, and every email kind with a link was followed.
    assert set(pages) <= set(found)
    assert followed >= len(EVERY_SAMPLE)
