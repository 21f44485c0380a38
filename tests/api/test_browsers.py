"""What a browser front end and a calendar client need over HTTP: CORS for the listed origins
only, compressed larger responses, 304 Not Modified for what they already hold, HEAD and ETag
on the calendar feeds, and a readiness failure as a problem."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient, Response

from services.api.app import create_app
from services.domain.settings import Settings
from tests.api.boards_support import create_board, create_meeting, in_days
from tests.factories import World, document_body

INTRANET = "https://intranet.example.org"


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings.model_copy(update={"cors_origins": [INTRANET]}))
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.redis.aclose()
    await app.state.engine.dispose()


def cors_headers(response: Response) -> set[str]:
    return {name for name in response.headers if name.lower().startswith("access-control-")}


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type, if-match, idempotency-key",
    }


async def test_a_preflight_from_a_listed_origin_allows_the_methods_and_headers_the_api_uses(
    cors_client: AsyncClient,
) -> None:
    answer = await cors_client.options("/v1/documents/x", headers=preflight(INTRANET))
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == INTRANET
    assert "PATCH" in answer.headers["Access-Control-Allow-Methods"]
    allowed = answer.headers["Access-Control-Allow-Headers"].lower()
    for header in ("authorization", "if-match", "idempotency-key", "if-none-match"):
        assert header in allowed


async def test_a_listed_origin_may_read_the_etag_location_and_retry_after(
    cors_client: AsyncClient, world: World
) -> None:
    created = await cors_client.post(
        "/v1/documents",
        json=document_body(),
        headers={**world.a.policy_officer.headers, "Origin": INTRANET},
    )
    assert created.status_code == 201, created.text
    assert created.headers["Access-Control-Allow-Origin"] == INTRANET
    exposed = {
        h.strip().lower() for h in created.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"etag", "location", "retry-after"} <= set(exposed)
    assert "origin" in created.headers["Vary"].lower()  # a cache keeps answers apart by origin
    # A refusal too, or the front end could not read why.
    refused = await cors_client.get("/v1/documents", headers={"Origin": INTRANET})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == INTRANET


async def test_an_origin_not_listed_gets_no_cors_header(
    cors_client: AsyncClient, client: AsyncClient, world: World
) -> None:
    elsewhere = "https://evil.example.com"
    answer = await cors_client.options("/v1/documents", headers=preflight(elsewhere))
    assert answer.status_code == 405
    assert cors_headers(answer) == set()
    read = await cors_client.get(
        "/v1/documents", headers={**world.a.reader.headers, "Origin": elsewhere}
    )
    assert read.status_code == 200
    assert cors_headers(read) == set()
    assert "origin" in read.headers["Vary"].lower()
    # By default no origin is listed: no CORS at all.
    default = await client.options("/v1/documents", headers=preflight(INTRANET))
    assert default.status_code == 405
    assert cors_headers(default) == set()


def test_cors_origins_are_a_comma_separated_list_of_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "POLICYGOV_CORS_ORIGINS", "https://a.example.org, http://b.example.org:8080/"
    )
    assert Settings().cors_origins == ["https://a.example.org", "http://b.example.org:8080"]
    monkeypatch.setenv("POLICYGOV_CORS_ORIGINS", "https://a.example.org/app")
    with pytest.raises(ValueError, match="not an origin"):
        Settings()


async def raw_body(client: AsyncClient, path: str, encoding: str) -> tuple[Response, bytes]:
    async with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


async def test_the_spec_is_sent_compressed_to_a_client_that_asks(client: AsyncClient) -> None:
    plain_response, plain = await raw_body(client, "/openapi.json", "identity")
    zipped_response, zipped = await raw_body(client, "/openapi.json", "gzip")
    assert "content-encoding" not in plain_response.headers
    assert zipped_response.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in zipped_response.headers["Vary"].lower()
    assert gzip.decompress(zipped) == plain
    assert len(zipped) * 5 < len(plain), (len(zipped), len(plain))
    # Small answers are not worth it.
    small, _ = await raw_body(client, "/healthz", "gzip")
    assert "content-encoding" not in small.headers


async def test_a_document_already_held_is_not_sent_again(client: AsyncClient, world: World) -> None:
    h = world.a.policy_officer.headers
    created = await client.post("/v1/documents", json=document_body(), headers=h)
    path = f"/v1/documents/{created.json()['id']}"
    first = await client.get(path, headers=h)
    etag = first.headers["ETag"]
    for held in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await client.get(path, headers={**h, "If-None-Match": held})
        assert again.status_code == 304, (held, again.text)
        assert again.content == b""
        assert again.headers["ETag"] == etag
        assert "content-type" not in again.headers
    zipped = await client.get(path, headers={**h, "If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert zipped.status_code == 304
    changed = await client.patch(path, json={"title": "Renamed"}, headers={**h, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    stale = await client.get(path, headers={**h, "If-None-Match": etag})
    assert stale.status_code == 200
    assert stale.json()["title"] == "Renamed"
    # Only what the caller may read: a 304 is never an answer to someone refused.
    other = await client.get(path, headers={**world.b.admin.headers, "If-None-Match": etag})
    assert other.status_code == 404


async def test_a_calendar_feed_has_an_etag_answers_head_and_304_until_it_changes(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    await create_meeting(client, world, board["id"], in_days(14))
    feed = await client.get(
        f"/v1/boards/{board['id']}/calendar-feed", headers=world.a.reader.headers
    )
    url = feed.json()["url"].removeprefix("http://testserver")
    first = await client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    # Generated afresh each time (its DTSTAMPs), the same feed keeps its ETag.
    assert (await client.get(url)).headers["ETag"] == etag
    head = await client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["ETag"] == etag
    assert head.headers["Content-Type"].startswith("text/calendar")
    assert int(head.headers["Content-Length"]) == len(first.content)
    held = await client.get(url, headers={"If-None-Match": etag})
    assert held.status_code == 304
    assert held.content == b""
    assert (await client.head(url, headers={"If-None-Match": etag})).status_code == 304
    await create_meeting(client, world, board["id"], in_days(28))
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    # A wrong token is still refused, by HEAD as by GET.
    assert (await client.head(url.replace("token=", "token=x"))).status_code == 404


async def test_a_review_feed_answers_head_with_the_etag_of_its_get(
    client: AsyncClient, world: World
) -> None:
    me = world.a.reader
    feed = await client.get(f"/v1/people/{me.person_id}/calendar-feed", headers=me.headers)
    url = feed.json()["url"].removeprefix("http://testserver")
    got = await client.get(url)
    head = await client.head(url)
    assert (got.status_code, head.status_code) == (200, 200)
    assert head.headers["ETag"] == got.headers["ETag"]
    assert (
        await client.get(url, headers={"If-None-Match": got.headers["ETag"]})
    ).status_code == 304


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", ["swagger-ui.css", "favicon.png", "swagger-ui-bundle.js"]),
        ("/redoc", ["favicon.png", "redoc.standalone.js"]),
    ],
)
async def test_the_api_pages_load_everything_from_the_service_itself(
    client: AsyncClient, page: str, assets: list[str]
) -> None:
    import re

    answer = await client.get(page)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    # No outside host: no CDN, no Google Fonts, no online validator.
    assert "//" not in re.sub(r"<!--.*?-->", "", answer.text, flags=re.S)
    assert "'/openapi.json'" in answer.text or '"/openapi.json"' in answer.text
    linked = re.findall(r'(?:src|href)="([^"]+)"', answer.text)
    assert sorted(linked) == sorted(f"/docs-assets/{name}" for name in assets)
    for path in linked:
        asset = await client.get(path, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200, path
        assert len(asset.content) > 1000, path
    if page == "/docs":
        assert '"validatorUrl": null' in answer.text
