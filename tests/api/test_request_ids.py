"""Every request has an id (issue 18): the client's X-Request-ID if it is sane, else a new one,
returned on every response, problems included, and named in the request's one log line with
who called, which route, the status and how long it took; never a credential."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from services.api.app import create_app
from services.domain.settings import Settings
from tests.factories import World
from tests.log_capture import captured, json_lines


def request_lines(written: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in written if line["logger"] == "services.api.requests"]


async def test_a_sane_request_id_is_kept_returned_and_logged_with_the_caller_and_route(
    client: AsyncClient, world: World
) -> None:
    member = world.a.reader
    with captured("json") as stream:
        response = await client.get(
            "/v1/documents?limit=2", headers={**member.headers, "X-Request-ID": "req-42.a:b"}
        )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-42.a:b"
    [line] = request_lines(json_lines(stream))
    assert line["request_id"] == "req-42.a:b"
    assert line["organisation_id"] == str(world.a.id)
    assert line["principal_id"] == str(member.person_id)
    assert (line["method"], line["route"], line["status"]) == ("GET", "/v1/documents", 200)
    assert line["path"] == "/v1/documents?limit=2"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["time"].endswith("Z") and line["level"] == "INFO"
    # The API key is in no line, whole or in part.
    assert member.key[-12:] not in stream.getvalue()


@pytest.mark.parametrize(
    "offered",
    ["", "has space", "x" * 129, 'quote"d', "new\nline", "tab\there", "ünïcode"],
)
async def test_an_unsafe_request_id_is_replaced_by_a_new_one(
    client: AsyncClient, offered: str
) -> None:
    headers = {"X-Request-ID": offered.encode("utf-8")} if offered else {}
    with captured("json") as stream:
        response = await client.get("/healthz", headers=headers)  # type: ignore[arg-type]
    given = response.headers["X-Request-ID"]
    assert given != offered and uuid.UUID(given)
    [line] = request_lines(json_lines(stream))
    assert line["request_id"] == given


async def test_problems_carry_the_request_id_too(client: AsyncClient, world: World) -> None:
    missing = await client.get(
        f"/v1/documents/{uuid.uuid4()}", headers={**world.a.reader.headers, "X-Request-ID": "r1"}
    )
    assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "r1"
    anonymous = await client.get("/v1/documents", headers={"X-Request-ID": "r2"})
    assert anonymous.status_code == 401 and anonymous.headers["X-Request-ID"] == "r2"
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    nowhere = await client.get("/no/such/path", headers={"X-Request-ID": "r3"})
    assert nowhere.status_code == 404 and nowhere.headers["X-Request-ID"] == "r3"


async def test_a_crash_is_a_500_problem_with_the_request_id_and_one_request_line(
    settings: Settings,
) -> None:
    app = create_app(settings)

    async def crash() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/crash", crash)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            with captured("json") as stream:
                response = await http.get("/crash", headers={"X-Request-ID": "boom-1"})
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "boom-1"
    assert response.json()["type"].endswith("/internal")
    written = json_lines(stream)
    [line] = request_lines(written)
    assert (line["request_id"], line["status"], line["route"]) == ("boom-1", 500, "/crash")
    # The traceback's line is named by the request too.
    [crashed] = [entry for entry in written if entry["level"] == "ERROR"]
    assert crashed["request_id"] == "boom-1" and "a bug" in crashed["exception"]


async def test_the_text_format_is_one_readable_line_per_request(
    client: AsyncClient, world: World
) -> None:
    with captured("text") as stream:
        await client.get(
            "/v1/documents", headers={**world.a.reader.headers, "X-Request-ID": "text-1"}
        )
    [line] = [x for x in stream.getvalue().splitlines() if "services.api.requests" in x]
    moment, level, name, method, path, status, duration, ms, *fields = line.split(" ")
    assert moment.endswith("Z") and (level, name) == ("INFO", "services.api.requests:")
    assert (method, path, status, ms) == ("GET", "/v1/documents", "200", "ms")
    assert float(duration) >= 0
    assert "route=/v1/documents" in fields and "request_id=text-1" in fields
    assert f"organisation_id={world.a.id}" in fields
