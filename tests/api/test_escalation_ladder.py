"""The organisation's escalation ladder through the HTTP API: the default until one is set,
validated (rungs climbing whatever the due date, at most eight, people and boards of the
organisation), the policy team's to replace, the tracker showing the rungs reached."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from services.domain.clock import london_today
from tests.api.boards_support import create_board
from tests.factories import World, document_body

URL = "/v1/escalation-ladder"


def rung(amount: int, unit: str, **notify: Any) -> dict[str, Any]:
    return {"after": {"amount": amount, "unit": unit}, "notify": notify}


RO_THEN_OWNER = [
    rung(0, "days", kind="document_role", role="responsible_officer"),
    rung(1, "months", kind="document_role", role="owner"),
]


async def test_without_a_ladder_the_default_is_the_escalation_contact_two_months_on(
    client: AsyncClient, world: World
) -> None:
    got = await client.get(URL, headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    assert got.json() == {
        "rungs": [rung(2, "months", kind="escalation_contact")],
        "is_default": True,
    }


async def test_the_policy_team_replaces_the_ladder_and_can_go_back_to_the_default(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    rungs = [
        *RO_THEN_OWNER,
        rung(2, "months", kind="post", post="head_of_service"),
        rung(3, "months", kind="board", board_id=board["id"], tell=["chair"]),
        rung(100, "days", kind="person", person_id=str(world.a.admin.person_id)),
    ]
    put = await client.put(URL, json={"rungs": rungs}, headers=world.a.policy_officer.headers)
    assert put.status_code == 200, put.text
    got = await client.get(URL, headers=world.a.reader.headers)
    assert got.json() == {"rungs": rungs, "is_default": False}
    # Another organisation still has the default.
    other = await client.get(URL, headers=world.b.reader.headers)
    assert other.json()["is_default"] is True
    reset = await client.delete(URL, headers=world.a.policy_officer.headers)
    assert reset.status_code == 204
    assert (await client.get(URL, headers=world.a.reader.headers)).json()["is_default"] is True


async def test_only_the_policy_team_and_admins_replace_the_ladder(
    client: AsyncClient, world: World
) -> None:
    for member in (world.a.reader, world.a.author, world.a.approver):
        put = await client.put(URL, json={"rungs": RO_THEN_OWNER}, headers=member.headers)
        assert put.status_code == 403, put.text
    put = await client.put(URL, json={"rungs": RO_THEN_OWNER}, headers=world.a.admin.headers)
    assert put.status_code == 200, put.text


async def test_a_rung_that_can_fall_on_or_before_the_one_before_it_is_refused(
    client: AsyncClient, world: World
) -> None:
    # A month is 28 to 31 days: after 30 days, "1 month" can fall earlier (28 February).
    for rungs in (
        [rung(30, "days", kind="escalation_contact"), rung(1, "months", kind="escalation_contact")],
        [
            rung(2, "months", kind="escalation_contact"),
            rung(1, "months", kind="escalation_contact"),
        ],
        [rung(7, "days", kind="escalation_contact"), rung(7, "days", kind="escalation_contact")],
        [rung(1, "months", kind="escalation_contact"), rung(31, "days", kind="escalation_contact")],
    ):
        put = await client.put(URL, json={"rungs": rungs}, headers=world.a.policy_officer.headers)
        assert put.status_code == 422, (rungs, put.text)
    climbing = [
        rung(27, "days", kind="escalation_contact"),
        rung(1, "months", kind="escalation_contact"),
        rung(32, "days", kind="escalation_contact"),
    ]
    put = await client.put(URL, json={"rungs": climbing}, headers=world.a.policy_officer.headers)
    assert put.status_code == 200, put.text


async def test_a_ladder_is_bounded_in_rungs_and_offsets(client: AsyncClient, world: World) -> None:
    nine = [rung(n * 10, "days", kind="escalation_contact") for n in range(9)]
    for rungs in (
        [],
        nine,
        [rung(25, "months", kind="escalation_contact")],
        [rung(731, "days", kind="escalation_contact")],
        [rung(-1, "days", kind="escalation_contact")],
        [rung(1, "weeks", kind="escalation_contact")],
        [rung(1, "days", kind="document_role", role="cleaner")],
    ):
        put = await client.put(URL, json={"rungs": rungs}, headers=world.a.policy_officer.headers)
        assert put.status_code == 422, (rungs, put.text)
    put = await client.put(URL, json={"rungs": nine[:8]}, headers=world.a.policy_officer.headers)
    assert put.status_code == 200, put.text


async def test_a_person_or_board_of_another_organisation_answers_as_a_missing_one(
    client: AsyncClient, world: World
) -> None:
    beta_board = await client.post(
        "/v1/boards", json={"name": "Beta's board"}, headers=world.b.policy_officer.headers
    )
    assert beta_board.status_code == 201, beta_board.text
    cases = {
        "person": (str(world.b.admin.person_id), str(uuid.uuid4())),
        "board": (beta_board.json()["id"], str(uuid.uuid4())),
    }
    for kind, (foreign, missing) in cases.items():
        answers = []
        for value in (foreign, missing):
            body = {"rungs": [rung(0, "days", kind=kind, **{f"{kind}_id": value})]}
            put = await client.put(URL, json=body, headers=world.a.policy_officer.headers)
            problem = put.json()
            answers.append((put.status_code, problem["detail"].replace(value, "<id>")))
        assert answers[0] == answers[1] and answers[0][0] == 422, answers


async def test_the_tracker_shows_how_many_rungs_each_review_has_reached(
    client: AsyncClient, world: World
) -> None:
    put = await client.put(
        URL, json={"rungs": RO_THEN_OWNER}, headers=world.a.policy_officer.headers
    )
    assert put.status_code == 200, put.text
    today = london_today()
    for reference, days in (("TOMORROW", 1), ("TODAY", 0), ("LONG-AGO", -40)):
        body = document_body(
            reference=reference,
            status="published",
            next_review_due=(today + timedelta(days=days)).isoformat(),
        )
        created = await client.post(
            "/v1/documents", json=body, headers=world.a.policy_officer.headers
        )
        assert created.status_code == 201, created.text
    rows = (await client.get("/v1/tracker", headers=world.a.reader.headers)).json()["items"]
    assert {r["reference"]: r["escalation_rung"] for r in rows} == {
        "LONG-AGO": 2,
        "TODAY": 1,
        "TOMORROW": 0,
    }
