"""Pages of the register and the tracker kept in the API process (services/api/page_cache.py):
served again while the organisation's audit chain has not moved, made again as soon as
anything is changed through the API, never shared between callers who see differently, and
bounded in age and memory."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import Request
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.app import create_app
from services.api.page_cache import PageCache
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document
from services.domain.settings import Settings
from tests.factories import World, document_body
from tests.register_writes import RegisterWrites

PAGES = (
    "/v1/documents?limit=50",
    "/v1/documents?q=care+plan&limit=50",
    "/v1/tracker?limit=50",
    "/v1/tracker/summary",
)


async def _document(client: AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    body = document_body(**{"status": "published", "next_review_due": "2020-01-06", **fields})
    response = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _titles(client: AsyncClient, headers: dict[str, str], path: str) -> list[str]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return [item["title"] for item in response.json()["items"]]


async def _retitle_by_hand(
    sessionmaker: async_sessionmaker[AsyncSession], document_id: str, title: str
) -> None:
    """What an operator's psql edit does: a change the audit trail never hears of."""
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Document).where(Document.id == uuid.UUID(document_id)).values(title=title)
        )


async def test_a_page_is_served_again_until_a_change_is_recorded(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    first = await _document(client, world, title="Care plan reviews", reference="A-1")
    await _document(client, world, title="Care plan audits", reference="A-2")
    path = "/v1/documents?q=care+plan&limit=50"
    assert await _titles(client, headers, path) == ["Care plan reviews", "Care plan audits"]

    # Changed behind the API's back: the kept page still answers, which shows it was kept.
    await _retitle_by_hand(world.sessionmaker, first["id"], "Care plan reviews (edited)")
    assert await _titles(client, headers, path) == ["Care plan reviews", "Care plan audits"]

    # Any change through the API moves the chain, and the page is made again from the rows.
    await _document(client, world, title="Fostering", reference="A-3")
    assert await _titles(client, headers, path) == [
        "Care plan reviews (edited)",
        "Care plan audits",
    ]


@pytest.mark.parametrize("path", PAGES)
async def test_every_kept_page_follows_a_change_made_through_the_api(
    client: AsyncClient, world: World, path: str
) -> None:
    headers = world.a.admin.headers
    await _document(client, world, title="Care plan reviews", reference="A-1")
    before = (await client.get(path, headers=headers)).json()
    await _document(client, world, title="Care plan audits", reference="A-2")
    after = (await client.get(path, headers=headers)).json()
    assert after != before
    assert after == (await client.get(path, headers=headers)).json()


async def test_a_kept_page_is_the_page_made_afresh(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await _document(client, world, title="Care plan reviews", reference="A-1")
    await _document(client, world, title="Care plan audits", reference="A-2", status="draft")
    headers = world.a.policy_officer.headers
    kept = [await client.get(p, headers=headers) for p in PAGES for _ in range(2)][1::2]
    async with _app_client(settings.model_copy(update={"page_cache_mb": 0})) as fresh:
        made = [await fresh.get(p, headers=headers) for p in PAGES]
    for served, expected in zip(kept, made, strict=True):
        assert served.status_code == expected.status_code == 200
        assert served.headers["content-type"] == expected.headers["content-type"]
        assert served.json() == expected.json()


async def test_callers_who_see_differently_never_share_a_page(
    client: AsyncClient, world: World
) -> None:
    draft = await _document(
        client,
        world,
        title="Care plan drafts",
        reference="A-1",
        author_id=str(world.a.author.person_id),
    )
    uploaded = await client.post(
        f"/v1/documents/{draft['id']}/versions",
        files={"file": ("text.md", b"A care plan.", "text/markdown")},
        data={"issued": "false", "change_summary": "First draft"},
        headers=world.a.policy_officer.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    path = "/v1/documents?limit=50"

    async def latest(headers: dict[str, str]) -> object:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["items"][0]["latest_version"]

    # The author (named on it) and the policy team see the draft; a reader sees none, even
    # asked right after them with the same address.
    assert await latest(world.a.author.headers) is not None
    assert await latest(world.a.policy_officer.headers) is not None
    assert await latest(world.a.reader.headers) is None
    assert await latest(world.a.author.headers) is not None
    # Another organisation's caller asking the same address gets its own register.
    other = await client.get(path, headers=world.b.policy_officer.headers)
    assert other.json()["items"] == []


@pytest.mark.parametrize(
    ("changes", "kept_for"),
    [({"page_cache_seconds": 0.3}, 0.3), ({"page_cache_mb": 0}, 0.0)],
    ids=["older than its age limit", "nothing kept"],
)
async def test_a_hand_edit_is_seen_once_the_page_is_too_old_or_when_none_are_kept(
    world: World, settings: Settings, changes: dict[str, float], kept_for: float
) -> None:
    async with _app_client(settings.model_copy(update=changes)) as client:
        created = await _document(client, world, title="Care plan reviews", reference="A-1")
        headers = world.a.admin.headers
        assert await _titles(client, headers, "/v1/tracker") == ["Care plan reviews"]
        await _retitle_by_hand(world.sessionmaker, created["id"], "Edited by hand")
        if kept_for:
            assert await _titles(client, headers, "/v1/tracker") == ["Care plan reviews"]
            await asyncio.sleep(kept_for + 0.05)
        assert await _titles(client, headers, "/v1/tracker") == ["Edited by hand"]


class _Body(BaseModel):
    text: str


def _request(path: str) -> Request:
    return Request({"type": "http", "path": path, "query_string": b"", "headers": []})


async def test_memory_stays_within_its_bound_least_recently_served_first(
    app: Any, world: World
) -> None:
    pages = PageCache(app.state.engine, max_bytes=64 * 1024, max_age_seconds=60)
    caller = Principal(world.a.id, None, frozenset({"reader"}), "test")
    body = _Body(text="x" * 4000)
    for number in range(40):
        (await pages.find(_request(f"/page/{number}"), caller)).keep(body)
        if number == 1:  # served again: it is now the most recently served
            assert (await pages.find(_request("/page/0"), caller)).found is not None
    assert pages.size_bytes <= 64 * 1024
    assert 10 <= len(pages) < 40
    assert (await pages.find(_request("/page/0"), caller)).found is None
    assert (await pages.find(_request("/page/39"), caller)).found is not None
    # One page larger than an eighth of the whole is served but not kept.
    (await pages.find(_request("/big"), caller)).keep(_Body(text="x" * 9000))
    assert (await pages.find(_request("/big"), caller)).found is None


async def test_the_suites_check_finds_a_register_write_with_no_audit_record(
    app: Any, world: World
) -> None:
    watch: RegisterWrites = app.state.register_writes
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE documents SET title = title WHERE false"))
    found, watch.unrecorded = watch.unrecorded, []
    assert found == ["UPDATE documents SET title = title WHERE false"]


@asynccontextmanager
async def _app_client(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        yield client
    await app.state.redis.aclose()
    await app.state.engine.dispose()
