"""The review tracker and a person's review-deadline feed, through the HTTP API."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from httpx import AsyncClient
from icalendar import Calendar
from sqlalchemy import update

from services.domain.clock import london_today
from services.domain.models.documents import Document
from services.domain.tracker.service import escalated_through
from tests.factories import World, document_body


def _day(days: int) -> str:
    return (london_today() + timedelta(days=days)).isoformat()


async def _document(client: AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    body = document_body(**{"status": "published", **fields})
    response = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def _tracker(client: AsyncClient, world: World, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/tracker", params=params, headers=world.a.admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_statuses_follow_the_review_thresholds_from_today(
    client: AsyncClient, world: World
) -> None:
    today = london_today()
    escalated = escalated_through(today, 2)
    cases = {
        "ON-TRACK": (_day(31), "on_track", 31),
        "SOON-30": (_day(30), "due_soon", 30),
        "SOON-0": (_day(0), "due_soon", 0),
        "OVERDUE-1": (_day(-1), "overdue", -1),
        "OVERDUE-LAST": (
            (escalated + timedelta(days=1)).isoformat(),
            "overdue",
            (escalated + timedelta(days=1) - today).days,
        ),
        "ESCALATED": (escalated.isoformat(), "escalated", (escalated - today).days),
    }
    for reference, (due, _, _) in cases.items():
        await _document(client, world, reference=reference, next_review_due=due)
    # Not tracked: retired, superseded, or no review date.
    await _document(client, world, reference="RETIRED", status="retired", next_review_due=_day(-9))
    await _document(
        client, world, reference="SUPERSEDED", status="superseded", next_review_due=_day(3)
    )
    # A draft has no review date (a document in force always has one).
    await _document(client, world, reference="NO-DATE", status="draft")

    items = await _tracker(client, world)

    assert {
        i["reference"]: (i["next_review_due"], i["status"], i["days_until_due"]) for i in items
    } == cases
    assert [i["reference"] for i in items] == [
        "ESCALATED", "OVERDUE-LAST", "OVERDUE-1", "SOON-0", "SOON-30", "ON-TRACK",
    ]  # fmt: skip


async def test_rows_carry_the_people_and_the_review_dates(
    client: AsyncClient, world: World
) -> None:
    doc = await _document(
        client,
        world,
        reference="PROC-014",
        title="Missing children",
        kind="procedure",
        service_area="Fostering",
        owner_id=str(world.a.approver.person_id),
        responsible_officer_id=str(world.a.author.person_id),
        next_review_due=_day(-3),
        trix_url="https://trix.example.org/proc-014",
    )
    stand_in = await _document(
        client, world, reference="POL-1", owner_id=str(world.a.approver.person_id),
        next_review_due=_day(5),
    )  # fmt: skip
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Document)
            .where(Document.id == uuid.UUID(doc["id"]))
            .values(last_reviewed_on=date(2024, 3, 1))
        )

    first, second = await _tracker(client, world)

    assert first == {
        "document_id": doc["id"],
        "reference": "PROC-014",
        "title": "Missing children",
        "kind": "procedure",
        "service_area": "Fostering",
        "owner_id": str(world.a.approver.person_id),
        "owner_name": "Approver of alpha",
        "responsible_officer_id": str(world.a.author.person_id),
        "responsible_officer_name": "Author of alpha",
        "acting_responsible_officer_id": str(world.a.author.person_id),
        "next_review_due": _day(-3),
        "last_reviewed_on": "2024-03-01",
        "status": "overdue",
        "days_until_due": -3,
        "rag": "red",
        "escalation_rung": 0,  # the default ladder's one rung is two months on
        "trix_url": "https://trix.example.org/proc-014",
        "approved_by": None,
        "approved_on": None,
        "governing_reference": None,
        "forms_aligned_on": None,
        "forms_aligned": None,
        "is_extended": False,
        "original_review_due": None,
        "times_extended": 0,
        "pending_extension_id": None,
        # Its owner and RO are active (issue 20: orphaned owners).
        "orphaned": False,
        "vacant_roles": [],
    }
    # NCT: with no RO named the owner stands in.
    assert second["document_id"] == stand_in["id"]
    assert second["responsible_officer_id"] is None
    assert second["acting_responsible_officer_id"] == str(world.a.approver.person_id)


async def test_filters_by_status_window_people_area_and_kind(
    client: AsyncClient, world: World
) -> None:
    approver, author = str(world.a.approver.person_id), str(world.a.author.person_id)
    await _document(client, world, reference="A", next_review_due=_day(-100), owner_id=approver)
    await _document(
        client, world, reference="B", next_review_due=_day(-5), service_area="Fostering",
        responsible_officer_id=author,
    )  # fmt: skip
    await _document(
        client, world, reference="C", next_review_due=_day(10), kind="procedure",
        owner_id=approver, responsible_officer_id=author,
    )  # fmt: skip
    await _document(client, world, reference="D", next_review_due=_day(200), service_area=None)

    async def refs(**params: Any) -> list[str]:
        return [i["reference"] for i in await _tracker(client, world, **params)]

    assert await refs(status="escalated") == ["A"]
    assert await refs(status="overdue") == ["B"]
    assert await refs(status="due_soon") == ["C"]
    assert await refs(status="on_track") == ["D"]
    assert await refs(due_from=_day(-5), due_to=_day(10)) == ["B", "C"]
    assert await refs(due_from=_day(-4)) == ["C", "D"]
    assert await refs(due_to=_day(-5)) == ["A", "B"]
    assert await refs(owner_id=approver) == ["A", "C"]
    assert await refs(responsible_officer_id=author) == ["B", "C"]
    assert await refs(service_area="fostering") == ["B"]
    assert await refs(kind="procedure") == ["C"]
    assert await refs(status="due_soon", owner_id=author) == []
    bad = await client.get("/v1/tracker?status=late", headers=world.a.admin.headers)
    assert bad.status_code == 422


async def test_pages_follow_due_date_then_reference(client: AsyncClient, world: World) -> None:
    for reference, days in [("E", 3), ("B", 1), ("D", 1), ("A", 2), ("C", 1)]:
        await _document(client, world, reference=reference, next_review_due=_day(days))
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/tracker", params=params, headers=world.a.admin.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 2
        seen += [i["reference"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["B", "C", "D", "A", "E"]
    # A cursor belongs to the filters it was issued for.
    first = await client.get("/v1/tracker?limit=2", headers=world.a.admin.headers)
    other = await client.get(
        "/v1/tracker",
        params={"limit": 2, "status": "due_soon", "cursor": first.json()["next_cursor"]},
        headers=world.a.admin.headers,
    )
    assert other.status_code == 400


async def test_summary_counts_and_percentages_per_service_area(
    client: AsyncClient, world: World
) -> None:
    for area, days in [
        ("Fostering", 100), ("Fostering", 5), ("Fostering", -5), ("Fostering", -100),
        ("Adoption", 5), (None, -5), (None, -5), ("Adoption", 400),
    ]:  # fmt: skip
        await _document(client, world, service_area=area, next_review_due=_day(days))
    await _document(client, world, service_area="Leaving care", status="retired",
                    next_review_due=_day(-5))  # fmt: skip

    response = await client.get("/v1/tracker/summary", headers=world.a.reader.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["today"] == london_today().isoformat()
    assert body["organisation"] == {
        "total": 8,
        "counts": {"on_track": 2, "due_soon": 2, "overdue": 3, "escalated": 1},
        "percentages": {"on_track": 25.0, "due_soon": 25.0, "overdue": 37.5, "escalated": 12.5},
    }
    assert body["service_areas"] == [
        {
            "service_area": "Adoption",
            "total": 2,
            "counts": {"on_track": 1, "due_soon": 1, "overdue": 0, "escalated": 0},
            "percentages": {"on_track": 50.0, "due_soon": 50.0, "overdue": 0.0, "escalated": 0.0},
        },
        {
            "service_area": "Fostering",
            "total": 4,
            "counts": {"on_track": 1, "due_soon": 1, "overdue": 1, "escalated": 1},
            "percentages": {
                "on_track": 25.0, "due_soon": 25.0, "overdue": 25.0, "escalated": 25.0,
            },
        },
        {
            "service_area": None,
            "total": 2,
            "counts": {"on_track": 0, "due_soon": 0, "overdue": 2, "escalated": 0},
            "percentages": {"on_track": 0.0, "due_soon": 0.0, "overdue": 100.0, "escalated": 0.0},
        },
    ]  # fmt: skip


async def test_an_empty_register_summarises_to_zeros(client: AsyncClient, world: World) -> None:
    response = await client.get("/v1/tracker/summary", headers=world.a.admin.headers)
    assert response.json()["organisation"] == {
        "total": 0,
        "counts": {"on_track": 0, "due_soon": 0, "overdue": 0, "escalated": 0},
        "percentages": {"on_track": 0.0, "due_soon": 0.0, "overdue": 0.0, "escalated": 0.0},
    }
    assert response.json()["service_areas"] == []


async def test_callers_see_what_the_register_lists_them_and_no_other_organisation(
    client: AsyncClient, world: World
) -> None:
    draft = document_body(reference="DRAFT-1", next_review_due=_day(4))
    response = await client.post("/v1/documents", json=draft, headers=world.a.author.headers)
    assert response.status_code == 201, response.text
    await _document(client, world, reference="PUB-1", next_review_due=_day(-4))
    other = document_body(reference="B-ONLY", status="published", next_review_due=_day(1))
    response = await client.post("/v1/documents", json=other, headers=world.b.admin.headers)
    assert response.status_code == 201, response.text

    # A Tri.x upload script reads the register, not the tracker.
    script = await client.get("/v1/tracker", headers=world.a.integration.headers)
    assert script.status_code == 403, script.text
    for member in (world.a.reader, world.a.author):
        register = await client.get("/v1/documents", headers=member.headers)
        tracker = await client.get("/v1/tracker", headers=member.headers)
        assert tracker.status_code == 200, tracker.text
        listed = {d["reference"] for d in register.json()["items"]}
        assert {i["reference"] for i in tracker.json()["items"]} == listed == {"DRAFT-1", "PUB-1"}

    b_items = (await client.get("/v1/tracker", headers=world.b.reader.headers)).json()["items"]
    assert [i["reference"] for i in b_items] == ["B-ONLY"]
    a_summary = await client.get("/v1/tracker/summary", headers=world.a.reader.headers)
    assert a_summary.json()["organisation"]["total"] == 2
    b_summary = await client.get("/v1/tracker/summary", headers=world.b.reader.headers)
    assert b_summary.json()["organisation"]["total"] == 1
    assert (await client.get("/v1/tracker")).status_code == 401


def _feed_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _feed_url(client: AsyncClient, person_id: Any, headers: dict[str, str]) -> str:
    response = await client.get(f"/v1/people/{person_id}/calendar-feed", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    url: str = response.json()["url"]
    return url


async def test_a_persons_feed_has_one_entry_per_review_they_own_or_are_ro_of(
    client: AsyncClient, world: World
) -> None:
    me, other = str(world.a.approver.person_id), str(world.a.author.person_id)
    owned = await _document(
        client, world, reference="OWN-1", title="Missing children", owner_id=me,
        responsible_officer_id=other, next_review_due=_day(12),
    )  # fmt: skip
    officer = await _document(
        client, world, reference="RO-1", title="Fostering panel", responsible_officer_id=me,
        next_review_due=_day(-70),
    )  # fmt: skip
    stand_in = await _document(
        client, world, reference="SI-1", title="Adoption", owner_id=me, next_review_due=_day(40)
    )
    # Not in the feed: someone else's, retired, no review date.
    await _document(client, world, reference="NOT-1", owner_id=other, next_review_due=_day(3))
    await _document(client, world, reference="RET-1", owner_id=me, status="retired",
                    next_review_due=_day(3))  # fmt: skip
    await _document(client, world, reference="NOD-1", responsible_officer_id=me, status="draft")

    url = await _feed_url(client, me, world.a.approver.headers)
    assert url.startswith(f"http://testserver/v1/calendar-feeds/people/{me}.ics?token=")
    response = await client.get(_feed_path(url))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Review deadlines: Approver of alpha"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"review-{d['id']}@policygov" for d in (owned, officer, stand_in)}
    entry = events[f"review-{owned['id']}@policygov"]
    assert str(entry["SUMMARY"]) == "Review due: OWN-1 Missing children"
    assert entry.decoded("DTSTART") == london_today() + timedelta(days=12)
    assert entry.decoded("DTEND") == london_today() + timedelta(days=13)
    # In the organisation's words: neutral until it sets its own (NCT: its RSM).
    assert "You are its owner." in str(entry["DESCRIPTION"])
    assert "due soon" in str(entry["DESCRIPTION"])
    ro_entry = str(events[f"review-{officer['id']}@policygov"]["DESCRIPTION"])
    assert "responsible officer" in ro_entry and "escalated" in ro_entry
    assert "owner and responsible officer" in str(
        events[f"review-{stand_in['id']}@policygov"]["DESCRIPTION"]
    )
    # Each entry links its document's page, signed for the person like an email's link.
    link = str(entry["URL"])
    assert link.startswith(f"http://127.0.0.1:8000/documents/{owned['id']}?token="), link
    page = await client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and "OWN-1" in page.text, page.text

    # A moved due date moves the same entry (stable UID) rather than adding one.
    read = await client.get(f"/v1/documents/{owned['id']}", headers=world.a.admin.headers)
    etag = read.headers["ETag"]
    moved = await client.patch(
        f"/v1/documents/{owned['id']}",
        json={"next_review_due": _day(20)},
        headers={**world.a.admin.headers, "If-Match": etag},
    )
    assert moved.status_code == 200, moved.text
    again = Calendar.from_ical((await client.get(_feed_path(url))).content)
    uids = [str(e["UID"]) for e in again.walk("VEVENT")]
    assert sorted(uids) == sorted(events)
    entry = next(
        e for e in again.walk("VEVENT") if str(e["UID"]) == f"review-{owned['id']}@policygov"
    )
    assert entry.decoded("DTSTART") == london_today() + timedelta(days=20)


async def test_the_feed_token_is_the_credential_and_rotating_revokes_it(
    client: AsyncClient, world: World
) -> None:
    me = world.a.approver.person_id
    url = await _feed_url(client, me, world.a.approver.headers)
    assert (await client.get(_feed_path(url))).status_code == 200
    wrong = await client.get(f"/v1/calendar-feeds/people/{me}.ics?token=guess")
    assert wrong.status_code == 404
    # Another person's id with my token opens nothing.
    other = await client.get(_feed_path(url).replace(str(me), str(world.a.author.person_id)))
    assert other.status_code == 404

    rotated = await client.post(
        f"/v1/people/{me}/calendar-feed/rotate", headers=world.a.approver.headers
    )
    assert rotated.status_code == 200, rotated.text
    new_url = rotated.json()["url"]
    assert new_url != url
    assert (await client.get(_feed_path(url))).status_code == 404
    assert (await client.get(_feed_path(new_url))).status_code == 200
    assert await _feed_url(client, me, world.a.admin.headers) == new_url
    audit = await client.get(
        "/v1/audit", params={"entity_id": str(me)}, headers=world.a.admin.headers
    )
    assert "person.calendar_feed_rotated" in [r["action"] for r in audit.json()["items"]]


async def test_only_the_person_and_the_policy_team_see_a_feed_address(
    client: AsyncClient, world: World
) -> None:
    me = world.a.approver.person_id
    for member in (world.a.admin, world.a.policy_officer, world.a.approver):
        await _feed_url(client, me, member.headers)
    for member in (world.a.reader, world.a.author, world.a.integration):
        read = await client.get(f"/v1/people/{me}/calendar-feed", headers=member.headers)
        assert read.status_code == 403, (member, read.text)
        rotate = await client.post(f"/v1/people/{me}/calendar-feed/rotate", headers=member.headers)
        assert rotate.status_code == 403
    # Other organisations' people are not found at all.
    b_person = world.b.approver.person_id
    response = await client.get(
        f"/v1/people/{b_person}/calendar-feed", headers=world.a.admin.headers
    )
    assert response.status_code == 404
