"""A link in a staff email opens its one page, for its one recipient, for a while (issue 19,
item 9): a link that expired, was changed, belongs to another page or another organisation, or
whose person has left, is a page saying so with a 4xx, never a 500 and never the record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient, Response

from services.domain.access.view_links import open_view_link, sign_view_link
from services.domain.errors import NotFound
from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.domain.tokens import Keyring
from services.logs import redact
from services.notifier.email import render
from tests.api.policy_requests_support import published_document
from tests.factories import World
from tests.notifier.test_email import EVERY_SAMPLE, parts
from tests.pages.email_links_support import BASE_URL, PAPER, build_records, view_token
from tests.pages.test_email_links import links_in


def refused(response: Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert words in response.text
    assert "Children in Need policy" not in response.text  # nothing of the record


async def emailed_document_link(settings: Settings, world: World, document_id: str) -> str:
    """The document link of a review reminder, as the notifier writes it for the reader."""
    notification = Notification(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        kind="review.due_soon",
        dedupe_key=f"test:{uuid.uuid4()}",
        recipient_person_id=world.a.reader.person_id,
        recipient_email=str(world.a.reader.email),
        context={**EVERY_SAMPLE["review.due_soon"], "document_id": document_id},
    )
    sending = settings.model_copy(update={"frontend_base_url": BASE_URL})
    [link] = links_in(*parts(render(notification, sending)))
    return link


async def test_the_emailed_link_opens_the_document_and_its_issued_file(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id = await published_document(client, world)
    link = await emailed_document_link(settings, world, document_id)
    assert link.startswith(f"{BASE_URL}/documents/{document_id}?token=")
    page = await client.get(link)
    assert page.status_code == 200
    assert "Children in Need policy" in page.text and "Approver of alpha" in page.text
    token = link.split("token=")[1]
    issued = await client.get(f"/documents/{document_id}/file?token={token}")
    assert issued.status_code == 200 and issued.content == b"The procedure."
    assert issued.headers["cache-control"] == "no-store"


async def test_a_link_that_has_expired_says_so(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id = await published_document(client, world)
    path = f"/documents/{document_id}"
    token = view_token(
        settings, world.a.reader.person_id, world.a.id, path, expires_in=timedelta(seconds=-1)
    )
    refused(await client.get(f"{path}?token={token}"), 403, "This link has expired")


async def test_a_changed_link_opens_nothing(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id = await published_document(client, world)
    path = f"/documents/{document_id}"
    token = view_token(settings, world.a.reader.person_id, world.a.id, path)
    person, expires, signature = token.split(".")
    later = str(int(expires) + 86400 * 365)  # a longer life, with the old signature
    for changed in (
        f"{person}.{expires}.{signature[:-2]}xx",
        f"{person}.{later}.{signature}",
        f"{world.a.admin.person_id.hex}.{expires}.{signature}",  # someone else's
        "not-a-token",
    ):
        refused(await client.get(f"{path}?token={changed}"), 404, "No such link")
    refused(await client.get(path), 400, "missing part of the link")


async def test_a_link_opens_only_its_own_page(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    records = await build_records(client, world, settings)
    reader = world.a.reader.person_id
    meeting = view_token(settings, reader, world.a.id, f"/meetings/{records.meeting_id}")
    elsewhere = f"/documents/{records.document_id}?token={meeting}"
    refused(await client.get(elsewhere), 404, "No such link")
    # The meeting's link opens its papers; a paper's own link opens the paper, not the meeting.
    paper = f"/agenda-items/{records.agenda_item_id}/paper"
    assert (await client.get(f"{paper}?token={meeting}")).content == PAPER
    own = view_token(settings, reader, world.a.id, paper)
    assert (await client.get(f"{paper}?token={own}")).content == PAPER
    refused(await client.get(f"/meetings/{records.meeting_id}?token={own}"), 404, "No such")


async def test_a_link_signed_for_another_organisations_person_finds_nothing(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id = await published_document(client, world)
    path = f"/documents/{document_id}"
    # Genuinely signed, for someone of the other organisation: the record is not theirs.
    token = view_token(settings, world.b.reader.person_id, world.b.id, path)
    refused(await client.get(f"{path}?token={token}"), 404, "No such document")
    # Nor can the organisation in the signature be swapped for the document's.
    forged = view_token(settings, world.b.reader.person_id, world.a.id, path)
    refused(await client.get(f"{path}?token={forged}"), 404, "No such link")


async def test_a_person_made_inactive_loses_every_link_at_once(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id = await published_document(client, world)
    link = await emailed_document_link(settings, world, document_id)
    assert (await client.get(link)).status_code == 200
    reader = f"/v1/people/{world.a.reader.person_id}"
    got = await client.get(reader, headers=world.a.admin.headers)
    left = await client.patch(
        reader,
        json={"is_active": False},
        headers={**world.a.admin.headers, "If-Match": got.headers["ETag"]},
    )
    assert left.status_code == 200, left.text
    refused(await client.get(link), 403, "the person it was sent to has left")


async def test_a_link_signed_before_a_key_rotation_still_opens(
    world: World, settings: Settings
) -> None:
    old, new = Keyring("old-key-" + "x" * 24), Keyring("new-key-" + "y" * 24)
    path = "/tracker"
    token = sign_view_link(
        old,
        person_id=world.a.reader.person_id,
        organisation_id=world.a.id,
        path=path,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    rotated = Keyring(new.current, previous=(old.current,))
    async with world.sessionmaker() as session:
        link = await open_view_link(session, rotated, token, [path])
        assert link.person.id == world.a.reader.person_id
        with pytest.raises(NotFound):
            await open_view_link(session, new, token, [path])  # the old key retired


def test_the_pages_are_not_in_the_api_spec(app: object) -> None:
    paths = app.openapi()["paths"]  # type: ignore[attr-defined]
    assert "/v1/documents/{document_id}" in paths
    pages = ("documents", "consultations", "meetings", "sign-offs", "tracker", "agenda-items")
    assert [p for p in paths if p.split("/")[1] in pages] == []


def test_the_logs_never_show_a_links_token(settings: Settings) -> None:
    token = view_token(settings, uuid.uuid4(), uuid.uuid4(), "/tracker")
    line = redact(f'"GET /tracker?token={token} HTTP/1.1" 200')
    assert token not in line and "[redacted]" in line
