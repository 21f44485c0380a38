"""Boards: members, schedules, deadlines in working days (golden dates 2026-2027), ICS feed."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient

from tests.api.boards_support import (
    DORSET_RULE,
    add_person,
    create_board,
    create_meeting,
)
from tests.factories import World


async def generate(
    client: AsyncClient, world: World, board_id: str, starts_on: str, months: int = 12
) -> list[dict[str, object]]:
    response = await client.post(
        f"/v1/boards/{board_id}/meetings/generate",
        json={"starts_on": starts_on, "months": months},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 200, response.text
    meetings: list[dict[str, object]] = response.json()
    return meetings


async def meetings_between(
    client: AsyncClient, world: World, board_id: str, start: str, end: str
) -> list[dict[str, object]]:
    response = await client.get(
        "/v1/meetings",
        params={"board_id": board_id, "from": f"{start}T00:00:00Z", "before": f"{end}T00:00:00Z"},
        headers=world.a.reader.headers,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_dorset_ppp_meets_second_tuesday_except_august_and_december(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client, world, schedule_rule=DORSET_RULE, schedule_starts_on="2026-01-01"
    )
    await generate(client, world, board["id"], "2026-09-01")
    made = await meetings_between(client, world, board["id"], "2026-09-01", "2027-09-01")
    assert [m["day"] for m in made] == [
        "2026-09-08",
        "2026-10-13",
        "2026-11-10",
        "2027-01-12",
        "2027-02-09",
        "2027-03-09",
        "2027-04-13",
        "2027-05-11",
        "2027-06-08",
        "2027-07-13",
    ]
    # 10:00 London is 09:00 UTC in summer and 10:00 UTC in winter.
    assert made[0]["starts_at"] == "2026-09-08T09:00:00Z"
    assert made[3]["starts_at"] == "2027-01-12T10:00:00Z"
    # Expanding the schedule again makes nothing twice.
    assert await generate(client, world, board["id"], "2026-09-01") == []


async def test_agenda_and_papers_deadlines_skip_christmas_and_new_year(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client, world, schedule_rule=DORSET_RULE, schedule_starts_on="2026-01-01"
    )
    await generate(client, world, board["id"], "2027-01-01", months=1)
    made = await meetings_between(client, world, board["id"], "2027-01-01", "2027-02-01")
    january = await client.get(f"/v1/meetings/{made[0]['id']}", headers=world.a.reader.headers)
    # Dorset 9.1: 10 working days before 12 January 2027, skipping 1 January, 28 and
    # 25 December (bank holidays) and the weekends, is Thursday 24 December 2026.
    assert january.json()["deadlines"] == {
        "agenda": "2026-12-24",
        "papers": "2027-01-07",
        "consultation_opens": None,
        "consultation_responses": None,
    }


async def test_a_deadline_falling_on_christmas_day_moves_as_the_boards_rule_says(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client,
        world,
        name="Director Leadership Group",
        deadline_rules={"consultation_responses": {"amount": 4, "unit": "calendar_days"}},
    )
    meeting = await create_meeting(client, world, board["id"], "2026-12-29T10:00:00+00:00")
    assert meeting["deadlines"]["consultation_responses"] == "2026-12-24"
    changed = await client.patch(
        f"/v1/boards/{board['id']}",
        json={"non_working_day_rule": "later"},
        headers={**world.a.policy_officer.headers, "If-Match": board["etag"]},
    )
    assert changed.status_code == 200, changed.text
    again = await client.get(f"/v1/meetings/{meeting['id']}", headers=world.a.reader.headers)
    # 25 Dec, the weekend and Monday 28 December (Boxing Day's substitute) are not working days.
    assert again.json()["deadlines"]["consultation_responses"] == "2026-12-29"


async def test_birmingham_consultation_closes_three_days_and_opens_two_weeks_before(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client,
        world,
        name="Director Leadership Group",
        deadline_rules={
            "consultation_opens": {"amount": 2, "unit": "weeks"},
            "consultation_responses": {"amount": 3, "unit": "calendar_days"},
        },
    )
    meeting = await create_meeting(client, world, board["id"], "2027-03-18T10:00:00+00:00")
    assert meeting["deadlines"]["consultation_opens"] == "2027-03-04"
    assert meeting["deadlines"]["consultation_responses"] == "2027-03-15"


async def test_meetings_on_a_bank_holiday_move_to_the_next_working_day(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client,
        world,
        name="Adults Improvement Board",
        schedule_rule="FREQ=MONTHLY;BYDAY=-1MO",
        schedule_starts_on="2027-01-01",
    )
    await generate(client, world, board["id"], "2027-03-01", months=6)
    made = await meetings_between(client, world, board["id"], "2027-03-01", "2027-09-01")
    days = {m["occurrence_key"]: m["day"] for m in made}
    # Easter Monday, the spring and the summer bank holidays of 2027 are last Mondays.
    assert days["2027-03-29"] == "2027-03-30"
    assert days["2027-05-31"] == "2027-06-01"
    assert days["2027-08-30"] == "2027-08-31"
    assert days["2027-04-26"] == "2027-04-26"
    skipping = await client.patch(
        f"/v1/boards/{board['id']}",
        json={"meetings_on_bank_holidays": "skip", "schedule_starts_on": "2027-01-02"},
        headers={**world.a.policy_officer.headers, "If-Match": board["etag"]},
    )
    assert skipping.status_code == 200, skipping.text


async def test_an_organisations_closure_days_are_not_working_days(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], "2027-02-09T10:00:00+00:00")
    assert meeting["deadlines"]["papers"] == "2027-02-04"
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    assert org.json()["holiday_subdivision"] == "ENG"
    changed = await client.patch(
        "/v1/organisation",
        json={"closure_days": ["2027-02-04"]},
        headers={**world.a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["closure_days"] == ["2027-02-04"]
    again = await client.get(f"/v1/meetings/{meeting['id']}", headers=world.a.reader.headers)
    assert again.json()["deadlines"]["papers"] == "2027-02-03"
    # Only admins change the organisation, and never without If-Match.
    refused = await client.patch(
        "/v1/organisation",
        json={"closure_days": []},
        headers={**world.a.policy_officer.headers, "If-Match": changed.headers["ETag"]},
    )
    assert refused.status_code == 403
    stale = await client.patch(
        "/v1/organisation",
        json={"holiday_subdivision": "WLS"},
        headers={**world.a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert stale.status_code == 412


async def test_a_schedule_change_drops_untouched_meetings_and_keeps_moved_ones(
    client: AsyncClient, world: World
) -> None:
    today = date.today()
    board = await create_board(
        client,
        world,
        schedule_rule="FREQ=MONTHLY;BYDAY=+2TU",
        schedule_starts_on=today.isoformat(),
    )
    h = world.a.reader.headers
    listed = await client.get(
        "/v1/meetings", params={"board_id": board["id"], "limit": 50}, headers=h
    )
    meetings = listed.json()["items"]
    assert 11 <= len(meetings) <= 13
    first = meetings[0]
    got = await client.get(f"/v1/meetings/{first['id']}", headers=h)
    moved = await client.patch(
        f"/v1/meetings/{first['id']}",
        json={"location": "County Hall, Room 2"},
        headers={**world.a.policy_officer.headers, "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200
    new_first = moved.json()["starts_at"]
    shifted = await client.patch(
        f"/v1/meetings/{first['id']}",
        json={"starts_at": first["starts_at"].replace("T09:", "T13:").replace("T10:", "T14:")},
        headers={**world.a.policy_officer.headers, "If-Match": moved.headers["ETag"]},
    )
    assert shifted.status_code == 200, shifted.text
    assert shifted.json()["moved_from"] == new_first
    changed = await client.patch(
        f"/v1/boards/{board['id']}",
        json={"schedule_rule": "FREQ=MONTHLY;BYDAY=+3WE"},
        headers={**world.a.policy_officer.headers, "If-Match": board["etag"]},
    )
    assert changed.status_code == 200, changed.text
    after = (
        await client.get("/v1/meetings", params={"board_id": board["id"], "limit": 50}, headers=h)
    ).json()["items"]
    weekdays = {date.fromisoformat(m["day"]).weekday() for m in after if m["id"] != first["id"]}
    assert weekdays == {2}  # Wednesdays only, apart from the meeting moved by hand
    assert first["id"] in {m["id"] for m in after}


async def test_a_board_has_one_chair_and_seats_must_have_a_rule(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client,
        world,
        seat_rules=[{"seat": "Head of Service", "minimum": 2}],
    )
    h = world.a.policy_officer.headers
    person = await add_person(client, world, "Dana Okafor")
    second_chair = await client.post(
        f"/v1/boards/{board['id']}/members", json={"person_id": person, "role": "chair"}, headers=h
    )
    assert second_chair.status_code == 409
    unknown_seat = await client.post(
        f"/v1/boards/{board['id']}/members",
        json={"person_id": person, "seat": "Wizard"},
        headers=h,
    )
    assert unknown_seat.status_code == 422
    own_delegate = await client.post(
        f"/v1/boards/{board['id']}/members",
        json={"person_id": person, "delegate_id": person},
        headers=h,
    )
    assert own_delegate.status_code == 422
    delegate = await add_person(client, world, "Sam Delegate")
    added = await client.post(
        f"/v1/boards/{board['id']}/members",
        json={"person_id": person, "seat": "Head of Service", "delegate_id": delegate},
        headers=h,
    )
    assert added.status_code == 201, added.text
    twice = await client.post(
        f"/v1/boards/{board['id']}/members", json={"person_id": person}, headers=h
    )
    assert twice.status_code == 409
    # The seat rule cannot go while someone holds the seat.
    removing_rule = await client.patch(
        f"/v1/boards/{board['id']}",
        json={"seat_rules": []},
        headers={**h, "If-Match": board["etag"]},
    )
    assert removing_rule.status_code == 409
    members = await client.get(f"/v1/boards/{board['id']}/members", headers=world.a.reader.headers)
    assert [m["role"] for m in members.json()] == ["chair", "member", "member"]


async def test_only_the_policy_team_sets_up_boards_and_everyone_reads_them(
    client: AsyncClient, world: World
) -> None:
    for role in ("author", "approver", "reader", "integration"):
        refused = await client.post(
            "/v1/boards", json={"name": f"Board {role}"}, headers=world.a.members[role].headers
        )
        assert refused.status_code == 403, role
    board = await create_board(client, world)
    listed = await client.get("/v1/boards", headers=world.a.reader.headers)
    assert [b["name"] for b in listed.json()] == [board["name"]]
    # A Tri.x upload script has no business with boards.
    assert (await client.get("/v1/boards", headers=world.a.integration.headers)).status_code == 403
    duplicate = await client.post(
        "/v1/boards", json={"name": board["name"]}, headers=world.a.policy_officer.headers
    )
    assert duplicate.status_code == 409
    other_org = await client.get(f"/v1/boards/{board['id']}", headers=world.b.admin.headers)
    assert other_org.status_code == 404


async def test_bad_schedule_rules_are_refused_clearly(client: AsyncClient, world: World) -> None:
    h = world.a.policy_officer.headers
    for rule in ("FREQ=HOURLY", "every second tuesday", "DTSTART:20260101T000000\nFREQ=DAILY"):
        response = await client.post(
            "/v1/boards",
            json={"name": "Bad", "schedule_rule": rule, "schedule_starts_on": "2026-01-01"},
            headers=h,
        )
        assert response.status_code == 422, rule
        assert response.headers["content-type"] == "application/problem+json"
    no_start = await client.post(
        "/v1/boards", json={"name": "Bad", "schedule_rule": DORSET_RULE}, headers=h
    )
    assert no_start.status_code == 422
    listed = await client.get("/v1/boards", headers=h)
    assert listed.json() == []


async def test_a_board_with_history_is_deactivated_not_deleted(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    empty = await create_board(client, world, name="Set up by mistake")
    deleted = await client.delete(
        f"/v1/boards/{empty['id']}", headers={**h, "If-Match": empty["etag"]}
    )
    assert deleted.status_code == 204
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], "2026-01-13T10:00:00+00:00")
    attended = await client.put(
        f"/v1/meetings/{meeting['id']}/attendance",
        json={"attendance": [{"person_id": str(world.a.approver.person_id), "status": "present"}]},
        headers=h,
    )
    assert attended.status_code == 200, attended.text
    refused = await client.delete(
        f"/v1/boards/{board['id']}", headers={**h, "If-Match": board["etag"]}
    )
    assert refused.status_code == 409
    assert (await client.get(f"/v1/meetings/{meeting['id']}", headers=h)).status_code == 200


async def test_the_calendar_feed_needs_no_key_and_rotating_revokes_it(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(
        client, world, schedule_rule=DORSET_RULE, schedule_starts_on="2026-01-01"
    )
    moved_meeting = await create_meeting(
        client, world, board["id"], "2026-12-01T10:00:00+00:00", location="Room 2"
    )
    cancel = await client.post(
        f"/v1/meetings/{moved_meeting['id']}/cancel",
        json={"reason": "Clashes with the Ofsted visit"},
        headers={**world.a.policy_officer.headers, "If-Match": moved_meeting["etag"]},
    )
    assert cancel.status_code == 200, cancel.text
    feed = await client.get(
        f"/v1/boards/{board['id']}/calendar-feed", headers=world.a.reader.headers
    )
    assert feed.status_code == 200
    url = feed.json()["url"]
    path = url[url.index("/v1/") :]
    ics = await client.get(path)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    text = ics.text
    assert "BEGIN:VCALENDAR" in text and "X-WR-CALNAME:Practice\\, Policy and Procedures" in text
    assert f"UID:meeting-{moved_meeting['id']}@policygov" in text
    assert "STATUS:CANCELLED" in text
    assert "Agenda items and drafts due" in text
    wrong = await client.get(path.replace("token=", "token=x"))
    assert wrong.status_code == 404
    rotated = await client.post(
        f"/v1/boards/{board['id']}/calendar-feed/rotate", headers=world.a.policy_officer.headers
    )
    assert rotated.status_code == 200
    assert (await client.get(path)).status_code == 404
    new_url = rotated.json()["url"]
    assert (await client.get(new_url[new_url.index("/v1/") :])).status_code == 200
