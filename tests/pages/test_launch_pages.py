"""The launch-and-cascade emails' pages (issue 19, items 2 and 9): the digest's "see what it
lists, or stop it" link opens the recipient's own subscription and stops it with one button,
without JavaScript or an account; the plan reminder's link opens the item and its plan."""

from __future__ import annotations

import re
import uuid

from httpx import AsyncClient

from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.email import render
from tests.factories import World
from tests.notifier.test_email import EVERY_SAMPLE, parts
from tests.pages.email_links_support import BASE_URL
from tests.pages.test_email_links import links_in


def _digest_links(settings: Settings, world: World) -> set[str]:
    """The links of a digest as the notifier writes it for the reader."""
    notification = Notification(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        kind="news.digest",
        dedupe_key=f"test:{uuid.uuid4()}",
        recipient_person_id=world.a.reader.person_id,
        recipient_email=str(world.a.reader.email),
        context=EVERY_SAMPLE["news.digest"],
    )
    sending = settings.model_copy(update={"frontend_base_url": BASE_URL})
    return links_in(*parts(render(notification, sending)))


async def test_the_digest_link_shows_the_subscription_and_stops_it(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    reader = world.a.reader
    subscribed = await client.put(
        f"/v1/people/{reader.person_id}/digest-subscription",
        json={"service_areas": ["Children in Care"], "kinds": []},
        headers=reader.headers,
    )
    assert subscribed.status_code in (200, 201), subscribed.text
    [link] = [link for link in _digest_links(settings, world) if "/digest-subscription" in link]
    page = await client.get(link)
    assert page.status_code == 200, page.text
    assert "Children in Care" in page.text and "Every kind" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert form_token is not None
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    # A post without the page's form token (another site's) stops nothing.
    forged = await client.post(action.group(1).replace("&amp;", "&"), data={})
    assert forged.status_code == 403, forged.text
    kept = await client.get(
        f"/v1/people/{reader.person_id}/digest-subscription", headers=reader.headers
    )
    assert kept.status_code == 200
    stopped = await client.post(
        action.group(1).replace("&amp;", "&"), data={"form_token": form_token.group(1)}
    )
    assert stopped.status_code == 303, stopped.text
    after = await client.get(stopped.headers["location"])
    assert after.status_code == 200 and "Your digest has stopped" in after.text
    gone = await client.get(
        f"/v1/people/{reader.person_id}/digest-subscription", headers=reader.headers
    )
    assert gone.status_code == 404
    # Again (a reload, a second click): nothing to stop, no error.
    again = await client.post(
        action.group(1).replace("&amp;", "&"), data={"form_token": form_token.group(1)}
    )
    assert again.status_code == 303
    # The link is the reader's: another page's path does not open with it.
    token = link.split("token=")[1]
    other = await client.get(f"/documents/{uuid.uuid4()}?token={token}")
    assert other.status_code == 404
