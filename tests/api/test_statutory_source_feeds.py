"""Statutory sources' Atom feeds (issue 20, item 2), read from a real local HTTP server through
the checked client: each new entry is recorded once as a change with its batch of reviews; a
feed that cannot be read answers a clear problem (or, in the daily sweep, is recorded on its
source) and writes nothing; a feed on a loopback address is refused unless allowed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select

from services.api.app import create_app
from services.domain.clock import utcnow
from services.domain.models.reviews import Review
from services.domain.models.statutory_sources import StatutorySource, StatutorySourceChange
from services.domain.settings import Settings
from services.domain.source_feeds.service import poll_feeds
from tests.api.statutory_sources_support import (
    FeedServer,
    atom,
    create_source,
    link,
    published_document,
    run_feed_server,
)
from tests.factories import World

LOCAL = {"source_feed_allowed_hosts": ["127.0.0.1"], "source_feed_timeout_seconds": 2.0}


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    yield from run_feed_server()


@pytest.fixture(scope="module")
async def local_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The API of an operator who allows feeds on 127.0.0.1 (an intranet mirror)."""
    application = create_app(
        settings.model_copy(update={**LOCAL, "source_feed_max_bytes": 64 * 1024})
    )
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def local(local_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(
        transport=ASGITransport(app=local_app), base_url="http://testserver"
    ) as c:
        yield c


def fresh(n: int = 2) -> list[tuple[str, str, Any]]:
    """Entries updated after now (after the feed is named), newest first."""
    now = utcnow()
    return [
        (f"tag:www.gov.uk,2005:/wt/{uuid.uuid4()}", f"Update {i}", now + timedelta(minutes=10 - i))
        for i in range(n)
    ]


async def check(client: AsyncClient, world: World, source_id: str) -> Any:
    return await client.post(
        f"/v1/statutory-sources/{source_id}/feed-check", headers=world.a.policy_officer.headers
    )


async def counts(world: World) -> tuple[int, int]:
    async with world.sessionmaker() as session:
        changes = await session.scalar(select(func.count()).select_from(StatutorySourceChange))
        reviews = await session.scalar(select(func.count()).select_from(Review))
    return int(changes or 0), int(reviews or 0)


async def test_each_new_feed_entry_is_recorded_once_with_its_batch_of_reviews(
    local: AsyncClient, world: World, feeds: FeedServer
) -> None:
    document_id = await published_document(local, world)
    entries = fresh(2)
    path = f"/{uuid.uuid4()}.atom"
    url = feeds.serve(path, atom(*entries))
    source = await create_source(local, world, feed_url=url)
    await link(local, world, source["id"], document_id)
    first = await check(local, world, source["id"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["entries"] == 2
    # The oldest entry first: it opened the review, the newer one joined it.
    assert [c["feed_entry_id"] for c in body["changes"]] == [entries[1][0], entries[0][0]]
    assert all(c["origin"] == "feed" for c in body["changes"])
    assert body["changes"][0]["feed_entry_link"] == "https://www.gov.uk/changes/1"
    assert body["source"]["feed_checked_at"] is not None
    assert await counts(world) == (2, 1)
    impact = await local.get(
        f"/v1/statutory-source-changes/{body['changes'][0]['id']}/impact",
        headers=world.a.reader.headers,
    )
    assert impact.json()["counts"]["review_opened"] == 1
    again = await check(local, world, source["id"])
    assert again.status_code == 200, again.text
    assert again.json()["changes"] == []
    assert await counts(world) == (2, 1)
    # A new entry on top of the feed is the only one recorded.
    newer = fresh(1)
    feeds.serve(path, atom(*newer, *entries))
    third = await check(local, world, source["id"])
    assert [c["feed_entry_id"] for c in third.json()["changes"]] == [newer[0][0]]


async def test_entries_from_before_the_feed_was_named_are_history_not_changes(
    local: AsyncClient, world: World, feeds: FeedServer
) -> None:
    old = (
        f"tag:www.gov.uk,2005:/wt/{uuid.uuid4()}",
        "2023 edition",
        utcnow() - timedelta(days=700),
    )
    url = feeds.serve(f"/{uuid.uuid4()}.atom", atom(old))
    source = await create_source(local, world, feed_url=url)
    checked = await check(local, world, source["id"])
    assert checked.status_code == 200, checked.text
    assert (checked.json()["entries"], checked.json()["changes"]) == (1, [])


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"<html>Not a feed</html>", 200, "not an Atom feed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", 200, "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>',
            200,
            "not well-formed",
        ),
        (b"gone", 404, "HTTP 404"),
        (b"x" * (65 * 1024), 200, "larger than the limit"),
    ],
)
async def test_a_feed_that_cannot_be_read_is_a_clear_problem_and_records_nothing(
    local: AsyncClient, world: World, feeds: FeedServer, body: bytes, status: int, says: str
) -> None:
    document_id = await published_document(local, world)
    url = feeds.serve(f"/{uuid.uuid4()}.atom", body, status)
    source = await create_source(local, world, feed_url=url)
    await link(local, world, source["id"], document_id)
    failed = await check(local, world, source["id"])
    assert failed.status_code == 502, failed.text
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["type"].endswith("/problems/feed-unavailable")
    assert says in failed.json()["detail"]
    assert await counts(world) == (0, 0)


async def test_a_feed_that_answers_too_slowly_is_a_clear_problem(
    local: AsyncClient, world: World, feeds: FeedServer
) -> None:
    url = feeds.serve(f"/{uuid.uuid4()}.atom", atom(*fresh(1)), delay=3.0)
    source = await create_source(local, world, feed_url=url)
    failed = await check(local, world, source["id"])
    assert failed.status_code == 502, failed.text
    assert "2 seconds" in failed.json()["detail"]


async def test_a_feed_on_a_loopback_address_is_refused_unless_the_operator_allows_it(
    client: AsyncClient, world: World, feeds: FeedServer
) -> None:
    path = f"/{uuid.uuid4()}.atom"
    url = feeds.serve(path, atom(*fresh(1)))
    source = await create_source(client, world, feed_url=url)
    refused = await check(client, world, source["id"])
    assert refused.status_code == 502, refused.text
    assert "POLICYGOV_SOURCE_FEED_ALLOWED_HOSTS" in refused.json()["detail"]
    assert feeds.hits.get(path, 0) == 0  # never connected


async def test_only_the_policy_team_polls_and_a_source_without_a_feed_is_a_conflict(
    local: AsyncClient, world: World
) -> None:
    source = await create_source(local, world)
    reader = await local.post(
        f"/v1/statutory-sources/{source['id']}/feed-check", headers=world.a.reader.headers
    )
    assert reader.status_code == 403
    no_feed = await check(local, world, source["id"])
    assert no_feed.status_code == 409


async def test_the_daily_sweep_polls_every_feed_and_records_a_failure_on_its_source(
    local: AsyncClient, world: World, feeds: FeedServer, settings: Settings
) -> None:
    document_id = await published_document(local, world)
    good = await create_source(
        local, world, feed_url=feeds.serve(f"/{uuid.uuid4()}.atom", atom(*fresh(1)))
    )
    bad = await create_source(
        local,
        world,
        title="Care Act 2014 statutory guidance",
        feed_url=feeds.serve(f"/{uuid.uuid4()}.atom", b"<rss/>"),
    )
    await link(local, world, good["id"], document_id)
    await link(local, world, bad["id"], document_id)
    sweep_settings = settings.model_copy(update=LOCAL)
    swept = await poll_feeds(world.sessionmaker, sweep_settings)
    assert (swept.polled, swept.changes, swept.failed) == (1, 1, [uuid.UUID(bad["id"])])
    async with world.sessionmaker() as session:
        failed = await session.get(StatutorySource, uuid.UUID(bad["id"]))
        read = await session.get(StatutorySource, uuid.UUID(good["id"]))
        assert failed is not None and read is not None
        assert "not an Atom feed" in failed.feed_error
        assert failed.feed_failures == 1
        assert (read.feed_error, read.feed_failures) == ("", 0)
        assert read.feed_checked_at is not None
    assert await counts(world) == (1, 1)
    # Both were read today: the next sweep reads neither.
    again = await poll_feeds(world.sessionmaker, sweep_settings)
    assert (again.polled, again.failed) == (0, [])
