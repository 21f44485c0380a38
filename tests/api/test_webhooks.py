"""Webhook subscriptions through the API: admins only, secrets shown once, internal receivers
refused unless allowed, pings and replays queued as new messages."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from services.api.app import create_app
from services.api.webhooks.schemas import EventType
from services.domain.clock import utcnow
from services.domain.settings import Settings
from services.domain.webhooks.client import receiver_client
from services.domain.webhooks.service import EVENT_TYPES
from services.notifier.webhooks import deliver
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.webhook_receiver import Receiver, running

PUBLIC = "https://93.184.215.14/hook"


@pytest.fixture(scope="module")
async def local_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The API of an operator who allows receivers on 127.0.0.1."""
    application = create_app(settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1"]}))
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def local(local_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(
        transport=ASGITransport(app=local_app), base_url="http://testserver"
    ) as c:
        yield c


async def subscribe(client: AsyncClient, world: World, **body: Any) -> httpx.Response:
    response = await client.post(
        "/v1/webhooks", json={"url": PUBLIC, **body}, headers=world.a.admin.headers
    )
    return response


def assert_refused_url(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalid_params"]] == ["url"]


async def test_an_admin_subscribes_and_sees_the_secret_only_in_that_answer(
    client: AsyncClient, world: World
) -> None:
    created = await subscribe(
        client, world, description="Intranet", event_types=["document.created"]
    )
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert created.headers["Cache-Control"] == "no-store"
    assert created.headers["ETag"] == '"r1"'
    assert created.headers["Location"] == f"/v1/webhooks/{body['id']}"
    assert (body["url"], body["is_active"], body["event_types"]) == (
        PUBLIC,
        True,
        ["document.created"],
    )

    h = world.a.admin.headers
    one = await client.get(created.headers["Location"], headers=h)
    assert one.status_code == 200 and one.headers["ETag"] == '"r1"'
    listed = await client.get("/v1/webhooks", headers=h)
    assert [w["id"] for w in listed.json()] == [body["id"]]
    audit = await client.get("/v1/audit", params={"entity_id": body["id"]}, headers=h)
    assert [r["action"] for r in audit.json()["items"]] == ["webhook_subscription.created"]
    for text in (one.text, listed.text, audit.text):
        assert secret not in text and secret.removeprefix("whsec_") not in text


@pytest.mark.parametrize("role", ["policy_officer", "author", "approver", "reader", "integration"])
async def test_only_admins_manage_webhooks(client: AsyncClient, world: World, role: str) -> None:
    created = (await subscribe(client, world)).json()
    h = getattr(world.a, role).headers
    assert (await client.get("/v1/webhooks", headers=h)).status_code == 403
    assert (await client.post("/v1/webhooks", json={"url": PUBLIC}, headers=h)).status_code == 403
    assert (await client.get(f"/v1/webhooks/{created['id']}", headers=h)).status_code == 403
    ping = await client.post(f"/v1/webhooks/{created['id']}/ping", headers=h)
    assert ping.status_code == 403


async def test_another_organisations_subscriptions_are_not_listed(
    client: AsyncClient, world: World
) -> None:
    await subscribe(client, world)
    assert (await client.get("/v1/webhooks", headers=world.b.admin.headers)).json() == []


async def test_a_loopback_receiver_is_refused_unless_the_operator_allows_it(
    client: AsyncClient, local: AsyncClient, world: World
) -> None:
    url = "http://127.0.0.1:9/hook"
    assert_refused_url(await subscribe(client, world, url=url))
    assert (await subscribe(local, world, url=url)).status_code == 201


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/hook",
        "https://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "https://no-such-host.invalid/hook",
        # IPv6 forms that a relay or translator takes to 127.0.0.1 (or 10.0.0.1).
        "http://[2002:7f00:1::]/",
        "http://[2001:0:5db8:d822:8000:63bf:80ff:fffe]/",
        "http://[2001:0:a00:1::]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b:1::7f00:1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::7f00:1]/",
    ],
)
async def test_a_private_or_unresolvable_receiver_is_refused(
    local: AsyncClient, world: World, url: str
) -> None:
    # Even where 127.0.0.1 is allowed, nothing else internal is.
    assert_refused_url(await subscribe(local, world, url=url))


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://93.184.215.14/hook"},
        {"url": PUBLIC, "event_types": ["document.exploded"]},
        {"url": PUBLIC, "secret": "whsec_mine"},
    ],
)
async def test_a_subscription_needs_an_http_url_and_known_event_types(
    client: AsyncClient, world: World, body: dict[str, Any]
) -> None:
    response = await client.post("/v1/webhooks", json=body, headers=world.a.admin.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_the_api_event_types_are_the_domains() -> None:
    assert get_args(EventType) == EVENT_TYPES


async def test_a_change_needs_the_current_etag_and_a_new_url_is_checked_again(
    client: AsyncClient, world: World
) -> None:
    created = (await subscribe(client, world)).json()
    url, h = f"/v1/webhooks/{created['id']}", world.a.admin.headers
    assert (await client.patch(url, json={"description": "x"}, headers=h)).status_code == 428
    stale = {**h, "If-Match": '"r9"'}
    assert (await client.patch(url, json={"description": "x"}, headers=stale)).status_code == 412
    current = {**h, "If-Match": '"r1"'}
    assert_refused_url(await client.patch(url, json={"url": "http://10.9.9.9/"}, headers=current))

    changed = await client.patch(
        url,
        json={"description": "Case system", "event_types": ["document.updated"]},
        headers=current,
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"r2"'
    assert changed.json()["description"] == "Case system"
    assert changed.json()["event_types"] == ["document.updated"]
    assert "secret" not in changed.json()


async def test_a_disabled_subscription_gets_no_ping_until_enabled_again(
    client: AsyncClient, world: World
) -> None:
    created = (await subscribe(client, world)).json()
    url, h = f"/v1/webhooks/{created['id']}", world.a.admin.headers
    off = await client.patch(url, json={"is_active": False}, headers={**h, "If-Match": '"r1"'})
    assert off.json()["is_active"] is False and off.json()["disabled_reason"]
    refused = await client.post(f"{url}/ping", headers=h)
    assert refused.status_code == 409
    on = await client.patch(url, json={"is_active": True}, headers={**h, "If-Match": '"r2"'})
    assert on.json()["disabled_reason"] is None
    assert (await client.post(f"{url}/ping", headers=h)).status_code == 202


async def test_rotation_shows_a_new_secret_once_and_the_old_one_signs_for_the_overlap(
    client: AsyncClient, world: World
) -> None:
    created = (await subscribe(client, world)).json()
    url, h = f"/v1/webhooks/{created['id']}", world.a.admin.headers
    before = utcnow()

    rotated = await client.post(f"{url}/rotate-secret", headers=h)

    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["Cache-Control"] == "no-store"
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    expires = datetime.fromisoformat(body["previous_secret_expires_at"])
    assert before + timedelta(hours=24) <= expires <= utcnow() + timedelta(hours=24)
    assert "secret" not in (await client.get(url, headers=h)).json()
    audit = await client.get("/v1/audit", params={"entity_id": created["id"]}, headers=h)
    assert audit.json()["items"][-1]["action"] == "webhook_subscription.secret_rotated"
    assert body["secret"] not in audit.text and created["secret"] not in audit.text

    at_once = await client.post(f"{url}/rotate-secret", json={"overlap_hours": 0}, headers=h)
    assert at_once.json()["previous_secret_expires_at"] is None


async def test_ping_and_replay_queue_new_messages_each_with_its_own_webhook_id(
    client: AsyncClient, world: World
) -> None:
    created = (await subscribe(client, world)).json()
    url, h = f"/v1/webhooks/{created['id']}", world.a.admin.headers

    ping = await client.post(f"{url}/ping", headers=h)

    assert ping.status_code == 202, ping.text
    first = ping.json()
    assert (first["status"], first["attempts"], first["event_type"]) == (
        "pending",
        0,
        "webhook.ping",
    )
    assert first["webhook_id"] == f"msg_{uuid.UUID(first['id']).hex}"
    assert first["body"]["type"] == "webhook.ping"
    assert first["body"]["data"] == {"subscription_id": created["id"]}
    assert (await client.get(ping.headers["Location"], headers=h)).json() == first

    replay = await client.post(f"{url}/deliveries/{first['id']}/replay", headers=h)

    assert replay.status_code == 202, replay.text
    second = replay.json()
    assert second["id"] != first["id"] and second["webhook_id"] != first["webhook_id"]
    assert second["body"] == first["body"]
    assert second["status"] == "pending"
    # The original had not gone yet: the replay sends it instead, so the receiver gets it once.
    original = (await client.get(ping.headers["Location"], headers=h)).json()
    assert (original["status"], original["superseded_by"]) == ("cancelled", second["id"])
    other = (
        await client.post("/v1/webhooks", json={"url": PUBLIC}, headers=world.a.admin.headers)
    ).json()
    elsewhere = await client.post(
        f"/v1/webhooks/{other['id']}/deliveries/{first['id']}/replay", headers=h
    )
    assert elsewhere.status_code == 404


async def test_deliveries_are_listed_newest_first_a_page_at_a_time(
    client: AsyncClient, world: World
) -> None:
    created = (await subscribe(client, world)).json()
    url, h = f"/v1/webhooks/{created['id']}", world.a.admin.headers
    sent = [(await client.post(f"{url}/ping", headers=h)).json()["id"] for _ in range(3)]

    first = await client.get(f"{url}/deliveries", params={"limit": 2}, headers=h)
    page = first.json()
    second = await client.get(
        f"{url}/deliveries", params={"limit": 2, "cursor": page["next_cursor"]}, headers=h
    )

    seen = [d["id"] for d in page["items"]] + [d["id"] for d in second.json()["items"]]
    assert seen == list(reversed(sent))
    assert second.json()["next_cursor"] is None
    item = page["items"][0]
    for name in ("status", "attempts", "last_status_code", "last_error", "created_at"):
        assert name in item
    assert item["delivered_at"] is None
    failed = await client.get(f"{url}/deliveries", params={"status": "failed"}, headers=h)
    assert failed.json()["items"] == []
    # A cursor belongs to the filters it was issued for.
    crossed = await client.get(
        f"{url}/deliveries", params={"status": "failed", "cursor": page["next_cursor"]}, headers=h
    )
    assert crossed.status_code == 400


async def test_deleting_a_subscription_removes_it_and_its_deliveries(
    client: AsyncClient, world: World
) -> None:
    created = (await subscribe(client, world)).json()
    url, h = f"/v1/webhooks/{created['id']}", world.a.admin.headers
    ping = (await client.post(f"{url}/ping", headers=h)).json()
    assert (await client.delete(url, headers=h)).status_code == 428
    assert (await client.delete(url, headers={**h, "If-Match": '"r2"'})).status_code == 412

    deleted = await client.delete(url, headers={**h, "If-Match": '"r1"'})

    assert deleted.status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404
    assert (await client.get(f"{url}/deliveries/{ping['id']}", headers=h)).status_code == 404
    audit = await client.get("/v1/audit", params={"entity_id": created["id"]}, headers=h)
    assert audit.json()["items"][-1]["action"] == "webhook_subscription.deleted"


async def test_a_ping_verifies_with_the_secret_shown_at_creation(
    local: AsyncClient, world: World, settings: Settings
) -> None:
    # End to end: the API writes the delivery, the notifier sends it, the receiver verifies it.
    async with running(Receiver()) as receiver:
        created = (await subscribe(local, world, url=receiver.url())).json()
        receiver.secret = created["secret"]
        h = world.a.admin.headers
        ping = (await local.post(f"/v1/webhooks/{created['id']}/ping", headers=h)).json()
        hook_settings = settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1"]})
        async with receiver_client(hook_settings) as http:
            outcome = await deliver(
                world.sessionmaker,
                uuid.UUID(ping["id"]),
                hook_settings,
                RecordingTransport(),
                http,
            )

    assert outcome == "delivered"
    [message] = receiver.received
    assert message.verified == ping["body"]
    assert message.headers["webhook-id"] == ping["webhook_id"]
    after = (await local.get(f"/v1/webhooks/{created['id']}/deliveries", headers=h)).json()
    [delivery] = after["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "delivered",
        1,
        204,
    )
    assert delivery["delivered_at"] is not None
