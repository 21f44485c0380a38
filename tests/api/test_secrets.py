"""The secret key: no usable default, and a rotation that breaks nothing handed out.

Issue 14: with POLICYGOV_SECRET_KEY unset the service signed with a value published in its
source, so anyone could sign `board-feed:<id>:1` and open another organisation's calendar feed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from services.api.app import create_app
from services.domain.consultations.links import link_token
from services.domain.settings import Settings
from services.domain.tokens import Keyring, MissingSecretKey
from tests.api.boards_support import create_board
from tests.api.test_consultation_links import consult_partner, token_of
from tests.factories import World

PUBLISHED_DEFAULT = "dev-only-secret-change-me-in-production"


def signed(key: str, message: str) -> str:
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def path_of(url: str) -> str:
    return url[url.index("/v1/") :]


@asynccontextmanager
async def client_of(settings: Settings) -> AsyncIterator[AsyncClient]:
    app: FastAPI = create_app(settings)
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            yield client
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()


async def test_without_a_key_the_api_refuses_to_start_so_the_published_default_opens_no_feed(
    client: AsyncClient, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = await create_board(client, world)
    forged = signed(PUBLISHED_DEFAULT, f"board-feed:{board['id']}:1")
    monkeypatch.delenv("POLICYGOV_SECRET_KEY", raising=False)
    unset = Settings(
        database_url=settings.database_url, redis_url=settings.redis_url, _env_file=None
    )
    app = create_app(unset)
    try:
        async with app.router.lifespan_context(app):
            async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
                response = await c.get(
                    f"/v1/calendar-feeds/boards/{board['id']}.ics", params={"token": forged}
                )
            pytest.fail(
                "the API started with no secret key, and a feed token signed with the default "
                f"published in the source answered {response.status_code}"
            )
    except MissingSecretKey as refused:
        assert "POLICYGOV_SECRET_KEY" in str(refused)
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()


@pytest.mark.parametrize(
    "keys",
    [
        {"secret_key": PUBLISHED_DEFAULT},
        {"secret_key": "k", "secret_key_previous": PUBLISHED_DEFAULT},
    ],
)
def test_the_key_once_published_in_the_source_is_refused(keys: dict[str, str]) -> None:
    with pytest.raises(MissingSecretKey, match="published"):
        assert Settings(_env_file=None, **keys).keyring  # type: ignore[arg-type]


def test_previous_keys_are_read_from_one_value_or_a_comma_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLICYGOV_SECRET_KEY", "now")
    monkeypatch.setenv("POLICYGOV_SECRET_KEY_PREVIOUS", "before, long-ago")
    assert Settings(_env_file=None).keyring == Keyring("now", ("before", "long-ago"))
    monkeypatch.setenv("POLICYGOV_SECRET_KEY_PREVIOUS", "before")
    assert Settings(_env_file=None).keyring == Keyring("now", ("before",))


async def test_during_a_rotation_feeds_and_links_signed_with_either_key_open_and_a_third_does_not(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    board = await create_board(client, world)
    person = world.a.approver.person_id
    h = world.a.approver.headers
    board_url = (await client.get(f"/v1/boards/{board['id']}/calendar-feed", headers=h)).json()
    person_url = (await client.get(f"/v1/people/{person}/calendar-feed", headers=h)).json()
    _, partner = await consult_partner(client, world)
    old_link = token_of(settings, partner)

    rotated = settings.model_copy(
        update={"secret_key": "the-new-key", "secret_key_previous": [settings.secret_key]}
    )
    async with client_of(rotated) as new:
        # Handed out under the previous key: still open.
        assert (await new.get(path_of(board_url["url"]))).status_code == 200
        assert (await new.get(path_of(person_url["url"]))).status_code == 200
        assert (await new.get(f"/v1/consultation-links/{old_link}")).status_code == 200
        # Handed out now: signed with the new key, which the old deployment does not know.
        new_board = (await new.get(f"/v1/boards/{board['id']}/calendar-feed", headers=h)).json()
        assert new_board["url"] != board_url["url"]
        assert (await new.get(path_of(new_board["url"]))).status_code == 200
        assert (await client.get(path_of(new_board["url"]))).status_code == 404
        new_link = link_token(rotated.keyring, uuid.UUID(partner["id"]), partner["link_version"])
        assert (await new.get(f"/v1/consultation-links/{new_link}")).status_code == 200
        assert (await client.get(f"/v1/consultation-links/{new_link}")).status_code == 404
        # Signed with a key that is neither: nothing.
        third = Keyring("a-third-key")
        feed = signed("a-third-key", f"board-feed:{board['id']}:1")
        response = await new.get(
            f"/v1/calendar-feeds/boards/{board['id']}.ics", params={"token": feed}
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        link = link_token(third, uuid.UUID(partner["id"]), partner["link_version"])
        response = await new.get(f"/v1/consultation-links/{link}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "%00",
        "\u00e9" * 50,
        "A" * 100,
        "..",
        "ZZZ.ZZZ",
        "00000000000000000000000000000000.",
    ],
)
async def test_a_malformed_feed_or_link_token_is_a_404_problem(
    client: AsyncClient, world: World, token: str
) -> None:
    board = await create_board(client, world)
    for path, params in (
        (f"/v1/calendar-feeds/boards/{board['id']}.ics", {"token": token}),
        (f"/v1/calendar-feeds/people/{world.a.reader.person_id}.ics", {"token": token}),
        (f"/v1/consultation-links/{token or 'x'}", {}),
        (f"/v1/consultation-links/{token or 'x'}/draft", {}),
    ):
        response = await client.get(path, params=params)
        # An empty token is refused by validation (422); any other is simply not found.
        expected = 422 if token == "" and params else 404
        assert response.status_code == expected, (path, token, response.text)
        assert response.headers["content-type"] == "application/problem+json"
