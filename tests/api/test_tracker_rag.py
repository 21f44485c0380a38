"""RAG on the tracker, its weekly snapshots and trend, and the charts and report a board reads,
through the HTTP API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as ET
import pytest
from httpx import AsyncClient

from services.domain import clock
from services.domain.clock import london_today
from services.domain.settings import Settings
from services.domain.tracker.snapshots import week_starting
from services.notifier.sweeps import sweep_tracker_snapshots
from tests.factories import World, document_body

SVG = "{http://www.w3.org/2000/svg}"


async def tracked(
    client: AsyncClient, world: World, reference: str, due: date, **fields: Any
) -> None:
    body = document_body(
        reference=reference,
        next_review_due=due.isoformat(),
        **{"status": "published", **fields},
    )
    created = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert created.status_code == 201, created.text


async def rows(client: AsyncClient, world: World, **params: Any) -> dict[str, str]:
    got = await client.get("/v1/tracker", params=params, headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    return {r["reference"]: r["rag"] for r in got.json()["items"]}


async def test_rag_counts_days_as_london_does_and_names_reviews_under_way_amber(
    client: AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): it is 1 July for the tracker.
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    cases = {
        "DUE-30-JUNE": (date(2026, 6, 30), "published", "red"),
        "DUE-TODAY": (date(2026, 7, 1), "published", "amber"),
        "IN-30-DAYS": (date(2026, 7, 31), "published", "amber"),
        "IN-31-DAYS": (date(2026, 8, 1), "published", "green"),
        "UNDER-REVIEW": (date(2026, 12, 1), "under_review", "amber"),
        "UNDER-REVIEW-LATE": (date(2026, 6, 1), "under_review", "red"),
    }
    for reference, (due, status, _) in cases.items():
        await tracked(client, world, reference, due, status=status)
    assert await rows(client, world) == {ref: rag for ref, (_, _, rag) in cases.items()}
    for rag in ("red", "amber", "green"):
        assert await rows(client, world, rag=rag) == {
            ref: found for ref, (_, _, found) in cases.items() if found == rag
        }
    summary = (await client.get("/v1/tracker/rag", headers=world.a.reader.headers)).json()
    assert summary["today"] == "2026-07-01"
    assert summary["organisation"] == {"red": 2, "amber": 3, "green": 1}
    assert summary["service_areas"] == [
        {"service_area": "Children in Need", "red": 2, "amber": 3, "green": 1, "total": 6}
    ]


async def test_an_unknown_rag_is_refused(client: AsyncClient, world: World) -> None:
    got = await client.get("/v1/tracker", params={"rag": "blue"}, headers=world.a.reader.headers)
    assert got.status_code == 422


async def trend(client: AsyncClient, world: World, **params: Any) -> list[dict[str, Any]]:
    got = await client.get("/v1/tracker/trend", params=params, headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    weeks: list[dict[str, Any]] = got.json()["weeks"]
    return weeks


async def test_the_sweep_takes_each_week_once_and_the_team_retakes_only_this_week(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    today = london_today()
    monday = week_starting(today)
    await tracked(client, world, "LATE", today - timedelta(days=3), service_area="Fostering")
    await tracked(client, world, "LATER", today + timedelta(days=90))
    last_week = today - timedelta(days=7)
    assert await sweep_tracker_snapshots(world.sessionmaker, settings, last_week) >= 2
    assert await sweep_tracker_snapshots(world.sessionmaker, settings, today) >= 2
    # Again the same week: nothing new, for any organisation.
    assert await sweep_tracker_snapshots(world.sessionmaker, settings, today) == 0
    await tracked(client, world, "SOON", today + timedelta(days=2))
    assert await sweep_tracker_snapshots(world.sessionmaker, settings, today) == 0
    weeks = await trend(client, world)
    assert [w["week_starting"] for w in weeks] == [
        (monday - timedelta(days=7)).isoformat(),
        monday.isoformat(),
    ]
    assert weeks[-1]["totals"] == {"red": 1, "amber": 0, "green": 1}  # SOON came after
    assert weeks[-1]["service_areas"] == [
        {"service_area": "Children in Need", "red": 0, "amber": 0, "green": 1, "total": 1},
        {"service_area": "Fostering", "red": 1, "amber": 0, "green": 0, "total": 1},
    ]
    refused = await client.post("/v1/tracker/snapshots", headers=world.a.reader.headers)
    assert refused.status_code == 403
    retaken = await client.post("/v1/tracker/snapshots", headers=world.a.policy_officer.headers)
    assert retaken.status_code == 201, retaken.text
    assert retaken.json()["totals"] == {"red": 1, "amber": 1, "green": 1}
    again = await trend(client, world)
    assert [w["totals"] for w in again] == [
        weeks[0]["totals"],  # an earlier week is history
        {"red": 1, "amber": 1, "green": 1},
    ]
    assert await trend(client, world, weeks=1) == again[-1:]
    assert (
        await client.get("/v1/tracker/trend", params={"weeks": 105}, headers=world.a.reader.headers)
    ).status_code == 422
    # Beta's snapshots are its own.
    beta = await client.get("/v1/tracker/trend", headers=world.b.reader.headers)
    assert all(w["totals"] == {"red": 0, "amber": 0, "green": 0} for w in beta.json()["weeks"])


def texts(root: Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


async def test_the_status_chart_is_svg_that_carries_every_number_and_escapes_names(
    client: AsyncClient, world: World
) -> None:
    today = london_today()
    area = 'Adults & <Health> "East"'
    for n in range(3):
        await tracked(client, world, f"RED-{n}", today - timedelta(days=1 + n), service_area=area)
    await tracked(client, world, "GREEN", today + timedelta(days=200), service_area="Fostering")
    got = await client.get("/v1/tracker/charts/status-by-area.svg", headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(got.text)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert f"{area}: 3 red, 0 amber, 0 green (3 in all)." in (desc.text or "")
    assert "Fostering: 0 red, 0 amber, 1 green (1 in all)." in (desc.text or "")
    labels = texts(root)
    assert area in labels and "Fostering" in labels
    assert labels.count("3") >= 2  # the red segment's count and the area's total


async def test_the_trend_chart_draws_a_bar_per_week_with_its_counts(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    today = london_today()
    empty = await client.get("/v1/tracker/charts/trend.svg", headers=world.a.reader.headers)
    assert "No weekly snapshots yet." in empty.text
    await tracked(client, world, "LATE", today - timedelta(days=3))
    for weeks_ago in (2, 1, 0):
        await sweep_tracker_snapshots(
            world.sessionmaker, settings, today - timedelta(weeks=weeks_ago)
        )
    got = await client.get("/v1/tracker/charts/trend.svg", headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    root = ET.fromstring(got.text)
    bars = [g for g in root.iter(f"{SVG}g") if g.get("class") == "week"]
    assert len(bars) == 3
    desc = root.find(f"{SVG}desc")
    # Each week as it stood the day it was taken: due soon, then overdue.
    assert desc is not None and (desc.text or "").count("0 red, 1 amber, 0 green") == 2
    assert (desc.text or "").endswith("1 red, 0 amber, 0 green. ")
    assert "No weekly snapshots yet." not in got.text


async def test_the_tracker_report_carries_both_charts_inline(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    today = london_today()
    await tracked(client, world, "LATE", today - timedelta(days=3), service_area="Fostering")
    await sweep_tracker_snapshots(world.sessionmaker, settings, today)
    got = await client.get("/v1/tracker/report.html", headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert got.text.count("<svg ") == 2
    assert 'aria-labelledby="status-title status-desc"' in got.text
    assert 'aria-labelledby="trend-title trend-desc"' in got.text
    assert '<th scope="row">Fostering</th>' in got.text
