"""When a consultation opens and closes, with England's real bank holidays.

Birmingham (001): drafts go out two weeks before the deciding meeting and responses are due
three days before it. Cafcass (002, 4.6): a public consultation runs three months. A closing
day means "by the end of that day", London time, and a computed one is always a working day.

Every expected date is worked out here from the ``holidays`` package, in next year, so the
tests never go stale.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from httpx import AsyncClient, Response

from services.domain.clock import LONDON
from tests.api.boards_support import (
    add_person,
    create_board,
    create_document_with_draft,
    create_meeting,
)
from tests.api.consultations_support import consultees, open_consultation, sweep_open
from tests.factories import World

YEAR = datetime.now().year + 1
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(YEAR - 1, YEAR + 2))
# Birmingham: drafts shared two weeks before the meeting, responses three days before it.
BIRMINGHAM_RULES = {
    "consultation_opens": {"amount": 2, "unit": "weeks"},
    "consultation_responses": {"amount": 3, "unit": "calendar_days"},
}


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in ENGLAND


def on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def holiday_named(name: str) -> date:
    [found] = [d for d, n in ENGLAND.items() if d.year == YEAR and n == name]
    return found


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def end_of(day: date) -> datetime:
    """Midnight London at the end of the day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def invalid_names(response: Response) -> set[str]:
    body = assert_problem(response, 422)
    return {p["name"] for p in body.get("invalid_params") or []}


async def draft(client: AsyncClient, world: World) -> dict[str, Any]:
    document_id, version_id = await create_document_with_draft(client, world)
    return {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "internal",
        "audience": {"people": [str(world.a.reader.person_id)]},
    }


async def post(client: AsyncClient, world: World, body: dict[str, Any]) -> Response:
    return await client.post("/v1/consultations", json=body, headers=world.a.author.headers)


async def create(client: AsyncClient, world: World, **body: Any) -> dict[str, Any]:
    response = await post(client, world, {**await draft(client, world), **body})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


def assert_closes_at_end_of(consultation: dict[str, Any], day: date) -> None:
    assert consultation["closes_on"] == day.isoformat()
    assert moment(consultation["closes_at"]) == end_of(day)


# --- counted on from the opening -------------------------------------------------------------


async def test_calendar_days_landing_on_christmas_day_close_on_the_next_working_day(
    client: AsyncClient, world: World
) -> None:
    christmas = date(YEAR, 12, 25)
    opening = christmas - timedelta(days=10)
    expected = on_or_after(christmas)
    assert expected >= date(YEAR, 12, 27)  # Christmas and Boxing Day are both skipped

    consultation = await create(
        client,
        world,
        opens_at=at(opening).isoformat(),
        closing_rule={"relative_to": "opening", "amount": 10, "unit": "calendar_days"},
    )

    assert consultation["status"] == "scheduled"
    assert moment(consultation["opens_at"]) == at(opening)
    assert_closes_at_end_of(consultation, expected)
    assert consultation["closing_rule"] == {
        "relative_to": "opening",
        "amount": 10,
        "unit": "calendar_days",
    }


async def test_working_days_across_christmas_skip_the_bank_holidays(
    client: AsyncClient, world: World
) -> None:
    opening = date(YEAR, 12, 22)
    expected = working_days_after(opening, 5)
    # Christmas and Boxing Day (or their substitutes) fall in between, and never count.
    assert (expected - opening).days >= 5 + 2

    consultation = await create(
        client,
        world,
        opens_at=at(opening).isoformat(),
        closing_rule={"relative_to": "opening", "amount": 5, "unit": "working_days"},
    )

    assert_closes_at_end_of(consultation, expected)


@pytest.mark.parametrize(
    ("opening_month", "opening_day"),
    [(9, 25), (4, 15)],
    ids=["three-months-on-is-christmas", "mid-april"],
)
async def test_a_public_consultation_runs_three_months_by_default(
    client: AsyncClient, world: World, opening_month: int, opening_day: int
) -> None:
    # Cafcass 4.6: broad practice change needs a full three-month consultation.
    opening = date(YEAR, opening_month, opening_day)
    expected = on_or_after(date(YEAR, opening_month + 3, opening_day))

    consultation = await create(client, world, kind="public", opens_at=at(opening).isoformat())

    assert_closes_at_end_of(consultation, expected)
    assert consultation["closing_rule"] == {"relative_to": "opening", "amount": 3, "unit": "months"}


async def test_an_internal_consultation_runs_ten_working_days_by_default(
    client: AsyncClient, world: World
) -> None:
    opening = date(YEAR, 12, 20)
    expected = working_days_after(opening, 10)

    consultation = await create(client, world, opens_at=at(opening).isoformat())

    assert_closes_at_end_of(consultation, expected)
    assert consultation["closing_rule"] == {
        "relative_to": "opening",
        "amount": 10,
        "unit": "working_days",
    }


# --- counted back from the meeting (Birmingham) ----------------------------------------------


async def birmingham_meeting(
    client: AsyncClient, world: World, day: date, **board: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    created = await create_board(client, world, **{"deadline_rules": BIRMINGHAM_RULES, **board})
    meeting = await create_meeting(client, world, created["id"], at(day, 14).isoformat())
    return created, meeting


async def test_responses_due_on_a_bank_holiday_close_the_working_day_before(
    client: AsyncClient, world: World
) -> None:
    # The Thursday after Easter Monday: three days before it is Easter Monday, and the working
    # day before that is the Thursday before Good Friday.
    meeting_day = holiday_named("Easter Monday") + timedelta(days=3)
    due = meeting_day - timedelta(days=3)
    assert not is_working_day(due)
    expected_close = on_or_before(due)
    assert expected_close == holiday_named("Good Friday") - timedelta(days=1)
    expected_opening = on_or_before(meeting_day - timedelta(weeks=2))
    _, meeting = await birmingham_meeting(client, world, meeting_day)

    consultation = await create(client, world, kind="pre_meeting", meeting_id=meeting["id"])

    assert consultation["meeting_id"] == meeting["id"]
    assert_closes_at_end_of(consultation, expected_close)
    assert consultation["status"] == "scheduled"
    assert moment(consultation["opens_at"]) == at(expected_opening)
    assert consultation["closing_rule"] == {"relative_to": "meeting", "amount": None, "unit": None}


async def test_responses_due_on_28_december_close_before_christmas(
    client: AsyncClient, world: World
) -> None:
    # 31 December minus three days is 28 December, a bank holiday when Christmas or Boxing Day
    # falls on a weekend; otherwise a working day and then it closes on 28 December.
    meeting_day = on_or_after(date(YEAR, 12, 31))
    expected_close = on_or_before(meeting_day - timedelta(days=3))
    _, meeting = await birmingham_meeting(client, world, meeting_day)

    consultation = await create(client, world, kind="pre_meeting", meeting_id=meeting["id"])

    assert_closes_at_end_of(consultation, expected_close)
    if date(YEAR, 12, 28) in ENGLAND:
        assert expected_close < date(YEAR, 12, 25)


async def test_a_pre_meeting_circulation_names_its_meeting(
    client: AsyncClient, world: World
) -> None:
    response = await post(client, world, {**await draft(client, world), "kind": "pre_meeting"})

    assert "meeting_id" in invalid_names(response)


@pytest.mark.parametrize(
    "closing", [{}, {"closing_rule": {"relative_to": "meeting"}}], ids=["default", "explicit"]
)
async def test_a_rule_relative_to_the_meeting_needs_the_boards_consultation_rule(
    client: AsyncClient, world: World, closing: dict[str, Any]
) -> None:
    board = await create_board(client, world)  # Dorset's rules: agenda and papers only
    meeting = await create_meeting(
        client, world, board["id"], at(date(YEAR, 3, 10), 14).isoformat()
    )
    body = {**await draft(client, world), "kind": "pre_meeting", "meeting_id": meeting["id"]}

    response = await post(client, world, {**body, **closing})

    assert "closing_rule" in invalid_names(response)


async def test_a_rule_relative_to_the_meeting_needs_a_meeting(
    client: AsyncClient, world: World
) -> None:
    body = {**await draft(client, world), "closing_rule": {"relative_to": "meeting"}}

    assert "meeting_id" in invalid_names(await post(client, world, body))


# --- given outright --------------------------------------------------------------------------


@pytest.mark.parametrize("holiday", ["Easter Monday", "Good Friday", "Christmas Day"])
async def test_closes_on_a_bank_holiday_is_refused(
    client: AsyncClient, world: World, holiday: str
) -> None:
    body = {**await draft(client, world), "closes_on": holiday_named(holiday).isoformat()}

    response = await post(client, world, body)

    assert invalid_names(response) == {"closes_on"}
    assert "not a working day" in response.json()["detail"]


@pytest.mark.parametrize(("month", "utc_hour"), [(1, 0), (7, 23)], ids=["winter-gmt", "summer-bst"])
async def test_closes_on_a_working_day_closes_at_midnight_london_at_its_end(
    client: AsyncClient, world: World, month: int, utc_hour: int
) -> None:
    day = on_or_after(date(YEAR, month, 20))

    consultation = await create(client, world, closes_on=day.isoformat())

    closes_at = moment(consultation["closes_at"])
    assert consultation["closes_on"] == day.isoformat()
    assert closes_at == end_of(day)
    # Midnight GMT is 00:00 UTC the next day; midnight BST is 23:00 UTC that day.
    utc = closes_at.astimezone(ZoneInfo("UTC"))
    assert (utc.date(), utc.hour) == (day + timedelta(days=1 if utc_hour == 0 else 0), utc_hour)
    assert consultation["closing_rule"] is None


@pytest.mark.parametrize("given", ["closes_at", "closes_on"])
async def test_it_cannot_close_before_it_opens(
    client: AsyncClient, world: World, given: str
) -> None:
    opening = on_or_after(date(YEAR, 3, 10))
    earlier = on_or_before(opening - timedelta(days=5))
    closing = earlier.isoformat() if given == "closes_on" else at(earlier).isoformat()
    body = {**await draft(client, world), "opens_at": at(opening).isoformat(), given: closing}

    response = await post(client, world, body)

    assert invalid_names(response) == {"closes_at"}
    assert "before it opens" in response.json()["detail"]


@pytest.mark.parametrize(
    "given",
    [("closes_at", "closes_on"), ("closes_at", "closing_rule"), ("closes_on", "closing_rule")],
)
async def test_only_one_closing_time_may_be_given(
    client: AsyncClient, world: World, given: tuple[str, str]
) -> None:
    day = on_or_after(date(YEAR, 2, 10))
    closing = {
        "closes_at": at(day, 17).isoformat(),
        "closes_on": day.isoformat(),
        "closing_rule": {"relative_to": "opening", "amount": 10, "unit": "working_days"},
    }
    body = {**await draft(client, world), **{name: closing[name] for name in given}}

    response = await post(client, world, body)

    assert invalid_names(response) == {"closing_rule"}
    assert "one of closes_at, closes_on or closing_rule" in response.json()["detail"]


@pytest.mark.parametrize(
    ("closing", "named"),
    [
        ({"closes_on": f"{YEAR}-02-30"}, "closes_on"),
        ({"closes_on": f"{YEAR}0301"}, "closes_on"),
        ({"closes_at": f"{YEAR}-03-01T10:00:00"}, "closes_at"),
        ({"closes_at": 1900000000}, "closes_at"),
        ({"closing_rule": {"relative_to": "opening", "amount": 3}}, "closing_rule"),
        ({"closing_rule": {"relative_to": "opening"}}, "closing_rule"),
        (
            {"closing_rule": {"relative_to": "opening", "amount": -1, "unit": "weeks"}},
            "closing_rule.amount",
        ),
        (
            {"closing_rule": {"relative_to": "opening", "amount": 2, "unit": "fortnights"}},
            "closing_rule.unit",
        ),
        ({"closing_rule": {"relative_to": "the_meeting"}}, "closing_rule.relative_to"),
        ({"closing_rule": {"relative_to": "meeting", "amount": 3, "unit": "weeks"}}, "meeting_id"),
        ({"opens_at": f"{YEAR}-03-01"}, "opens_at"),
    ],
)
async def test_a_malformed_closing_is_a_problem_naming_the_field(
    client: AsyncClient, world: World, closing: dict[str, Any], named: str
) -> None:
    response = await post(client, world, {**await draft(client, world), **closing})

    assert named in invalid_names(response)


@pytest.mark.parametrize(
    "closing",
    [
        {"closes_on": "9999-12-31"},
        {"opens_at": "9999-12-31T00:00:00+00:00"},
        {"kind": "public", "opens_at": "9999-12-20T00:00:00+00:00"},
    ],
)
async def test_a_closing_past_the_end_of_the_calendar_is_refused(
    client: AsyncClient, world: World, closing: dict[str, Any]
) -> None:
    response = await post(client, world, {**await draft(client, world), **closing})

    assert_problem(response, 422)


# --- the opening -----------------------------------------------------------------------------


async def test_a_scheduled_consultation_opens_to_its_audience_as_it_is_at_the_opening(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)  # chaired by the approver; the reader a member
    opening = on_or_after(date(YEAR, 2, 1))
    consultation = await create(
        client,
        world,
        opens_at=at(opening).isoformat(),
        audience={"people": [str(world.a.reader.person_id)], "boards": [board["id"]]},
    )
    path = f"/v1/consultations/{consultation['id']}"
    assert consultation["status"] == "scheduled"
    assert_problem(await client.get(path, headers=world.a.reader.headers), 404)
    assert_problem(await client.get(f"{path}/draft", headers=world.a.reader.headers), 404)
    before = await consultees(client, world, consultation["id"])
    assert [c["person_id"] for c in before] == [str(world.a.reader.person_id)]
    newcomer = await add_person(client, world, "Nia Newcomer")
    joined = await client.post(
        f"/v1/boards/{board['id']}/members",
        json={"person_id": newcomer},
        headers=world.a.policy_officer.headers,
    )
    assert joined.status_code == 201, joined.text

    assert await sweep_open(world, at(opening) - timedelta(minutes=1)) == 0
    assert await sweep_open(world, at(opening)) == 1

    opened = await client.get(path, headers=world.a.reader.headers)
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "open"
    after = {c["person_id"]: c for c in await consultees(client, world, consultation["id"])}
    assert set(after) == {str(world.a.reader.person_id), str(world.a.approver.person_id), newcomer}
    assert after[newcomer]["via_board_id"] == board["id"]
    assert after[str(world.a.approver.person_id)]["via_board_id"] == board["id"]
    # Asked by name and through the board is one consultee, asked by name.
    assert after[str(world.a.reader.person_id)]["via_board_id"] is None
    assert all(c["invited_at"] is not None for c in after.values())


async def test_someone_who_left_the_board_before_the_opening_is_not_consulted(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    opening = on_or_after(date(YEAR, 2, 1))
    consultation = await create(
        client, world, opens_at=at(opening).isoformat(), audience={"boards": [board["id"]]}
    )
    members = await client.get(
        f"/v1/boards/{board['id']}/members", headers=world.a.policy_officer.headers
    )
    [reader] = [m for m in members.json() if m["person_id"] == str(world.a.reader.person_id)]
    member_path = f"/v1/boards/{board['id']}/members/{reader['id']}"
    read = await client.get(member_path, headers=world.a.policy_officer.headers)
    left = await client.delete(
        member_path, headers={**world.a.policy_officer.headers, "If-Match": read.headers["ETag"]}
    )
    assert left.status_code == 204, left.text

    assert await sweep_open(world, at(opening)) == 1

    after = await consultees(client, world, consultation["id"])
    assert [c["person_id"] for c in after] == [str(world.a.approver.person_id)]
    path = f"/v1/consultations/{consultation['id']}"
    assert_problem(await client.get(path, headers=world.a.reader.headers), 404)


# --- changing it -----------------------------------------------------------------------------


async def test_extending_the_close_needs_the_current_etag(
    client: AsyncClient, world: World
) -> None:
    consultation = await open_consultation(client, world, *(await draft_ids(client, world)))
    path = f"/v1/consultations/{consultation['id']}"
    later = on_or_after((datetime.now(LONDON) + timedelta(days=40)).date())
    assert later.isoformat() > consultation["closes_on"]
    body = {"closes_on": later.isoformat()}

    assert_problem(await client.patch(path, json=body, headers=world.a.author.headers), 428)
    renamed = await client.patch(
        path,
        json={"title": "Allegations procedure: second round"},
        headers={**world.a.author.headers, "If-Match": consultation["etag"]},
    )
    assert renamed.status_code == 200, renamed.text
    stale = {**world.a.author.headers, "If-Match": consultation["etag"]}
    assert_problem(await client.patch(path, json=body, headers=stale), 412)

    extended = await client.patch(
        path, json=body, headers={**world.a.author.headers, "If-Match": renamed.headers["ETag"]}
    )

    assert extended.status_code == 200, extended.text
    assert_closes_at_end_of(extended.json(), later)
    assert extended.headers["ETag"] != renamed.headers["ETag"]
    read = await client.get(path, headers=world.a.reader.headers)
    assert read.json()["closes_on"] == later.isoformat()


async def test_extending_onto_a_bank_holiday_is_refused(client: AsyncClient, world: World) -> None:
    consultation = await open_consultation(client, world, *(await draft_ids(client, world)))
    path = f"/v1/consultations/{consultation['id']}"
    headers = {**world.a.author.headers, "If-Match": consultation["etag"]}

    refused = await client.patch(
        path, json={"closes_on": date(YEAR, 12, 25).isoformat()}, headers=headers
    )

    assert invalid_names(refused) == {"closes_on"}
    assert (await client.get(path, headers=headers)).json()["closes_on"] == consultation[
        "closes_on"
    ]


async def test_a_pre_meeting_circulation_can_be_extended_after_its_meeting_is_cancelled(
    client: AsyncClient, world: World
) -> None:
    meeting_day = on_or_after(date(YEAR, 3, 10))
    _, meeting = await birmingham_meeting(client, world, meeting_day)
    consultation = await create(client, world, kind="pre_meeting", meeting_id=meeting["id"])
    cancelled = await client.post(
        f"/v1/meetings/{meeting['id']}/cancel",
        json={"reason": "Not quorate: items go to the next meeting."},
        headers={**world.a.policy_officer.headers, "If-Match": meeting["etag"]},
    )
    assert cancelled.status_code == 200, cancelled.text
    later = working_days_after(date.fromisoformat(consultation["closes_on"]), 10)

    extended = await client.patch(
        f"/v1/consultations/{consultation['id']}",
        json={"closes_on": later.isoformat()},
        headers={**world.a.author.headers, "If-Match": consultation["etag"]},
    )

    assert extended.status_code == 200, extended.text
    assert_closes_at_end_of(extended.json(), later)
    assert extended.json()["meeting_id"] == meeting["id"]


async def test_the_response_form_changes_while_scheduled_but_not_once_open(
    client: AsyncClient, world: World
) -> None:
    opening = on_or_after(date(YEAR, 2, 1))
    consultation = await create(client, world, opens_at=at(opening).isoformat())
    path = f"/v1/consultations/{consultation['id']}"
    question = {"key": "threshold", "text": "Is the threshold clear?", "kind": "yes_no"}

    changed = await client.patch(
        path,
        json={"questions": [question]},
        headers={**world.a.author.headers, "If-Match": consultation["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert [q["key"] for q in changed.json()["questions"]] == ["threshold"]
    assert await sweep_open(world, at(opening)) == 1
    current = await client.get(path, headers=world.a.author.headers)

    refused = await client.patch(
        path,
        json={"questions": []},
        headers={**world.a.author.headers, "If-Match": current.headers["ETag"]},
    )

    assert_problem(refused, 409)
    after = await client.get(path, headers=world.a.author.headers)
    assert [q["key"] for q in after.json()["questions"]] == ["threshold"]


async def draft_ids(client: AsyncClient, world: World) -> tuple[str, str]:
    body = await draft(client, world)
    return body["document_id"], body["version_id"]
