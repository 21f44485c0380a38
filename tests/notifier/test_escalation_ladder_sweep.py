"""The escalation ladder climbed by the review sweep: each rung once per document and due date,
the highest reached only when several are reached at once, a later due date starting again;
an organisation without a ladder escalates exactly as before (test_review_sweep.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from httpx import AsyncClient
from sqlalchemy import delete, select

from services.domain.models.notifications import Notification, SweepMark
from services.domain.settings import Settings
from services.notifier.email import render
from services.notifier.sweeps import sweep_reviews
from tests.api.boards_support import create_board
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.test_email import parts
from tests.notifier.test_review_sweep import admin_escalates, procedure_due
from tests.statements import statements_of

DUE = date(2026, 9, 30)


# NCT's wording (seed 003, 2.3.3): the RO at the due date, the RSM a month on, the Head of
# Service at two months, the board at three.
def nct_ladder(world: World, board_id: str) -> list[dict[str, Any]]:
    return [
        {
            "after": {"amount": 0, "unit": "days"},
            "notify": {"kind": "document_role", "role": "responsible_officer"},
        },
        {
            "after": {"amount": 1, "unit": "months"},
            "notify": {"kind": "document_role", "role": "owner"},
        },
        {
            "after": {"amount": 2, "unit": "months"},
            "notify": {"kind": "post", "post": "head_of_service"},
        },
        {
            "after": {"amount": 3, "unit": "months"},
            "notify": {
                "kind": "board",
                "board_id": board_id,
                "tell": ["chair", "escalation_person"],
            },
        },
    ]


async def set_ladder(client: AsyncClient, world: World, rungs: list[dict[str, Any]]) -> None:
    response = await client.put(
        "/v1/escalation-ladder", json={"rungs": rungs}, headers=world.a.policy_officer.headers
    )
    assert response.status_code == 200, response.text


async def nct_setup(client: AsyncClient, world: World) -> dict[str, Any]:
    """The ladder, a Head of Service for Children in Need (alpha's admin), and a board chaired
    by the approver with the policy officer as its escalation person."""
    board = await create_board(
        client,
        world,
        escalation_person_id=str(world.a.policy_officer.person_id),
        members=[{"person_id": str(world.a.reader.person_id), "role": "chair"}],
    )
    post = await client.post(
        "/v1/posts",
        json={
            "post": "head_of_service",
            "service_area": "Children in Need",
            "person_id": str(world.a.admin.person_id),
        },
        headers=world.a.policy_officer.headers,
    )
    assert post.status_code == 201, post.text
    await set_ladder(client, world, nct_ladder(world, board["id"]))
    return board


async def escalations(world: World) -> list[tuple[str, str]]:
    """(dedupe key's rung part, recipient) of every escalation, in key order."""
    async with world.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Notification).where(Notification.kind == "review.escalated")
            )
        ).scalars()
        return sorted((n.dedupe_key.split(":")[4], n.recipient_email.split("@")[0]) for n in rows)


async def test_each_rung_is_sent_once_on_its_day_to_whom_it_names(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await nct_setup(client, world)
    await procedure_due(client, world, DUE)
    seen: dict[date, list[tuple[str, str]]] = {}
    days = [
        DUE - timedelta(days=1),
        DUE,
        DUE + timedelta(days=29),
        date(2026, 10, 30),  # a month on
        date(2026, 11, 29),
        date(2026, 11, 30),  # two months
        date(2026, 12, 30),  # three months
        date(2027, 1, 30),
    ]
    for day in days:
        before = await escalations(world)
        for _ in range(2):  # a sweep repeated, or a second worker, sends nothing more
            await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=day)
        seen[day] = sorted(set(await escalations(world)) - set(before))
    assert seen == {
        DUE - timedelta(days=1): [],
        DUE: [("0d", "author")],  # the RO
        DUE + timedelta(days=29): [],
        date(2026, 10, 30): [("1m", "approver")],  # the RSM
        date(2026, 11, 29): [],
        date(2026, 11, 30): [("2m", "admin")],  # the Head of Service for the area
        # The board: its chair and its escalation person.
        date(2026, 12, 30): [("3m", "policy_officer"), ("3m", "reader")],
        date(2027, 1, 30): [],
    }


async def test_a_sweep_that_finds_several_rungs_reached_sends_the_highest_only(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await nct_setup(client, world)
    await procedure_due(client, world, DUE)
    # First swept two and a half months late: the Head of Service, not the RO and RSM too.
    await sweep_reviews(
        world.sessionmaker, settings, RecordingTransport(), today=date(2026, 12, 15)
    )
    assert await escalations(world) == [("2m", "admin")]
    # And a lower rung is never sent after it.
    await sweep_reviews(
        world.sessionmaker, settings, RecordingTransport(), today=date(2026, 12, 16)
    )
    assert await escalations(world) == [("2m", "admin")]


async def test_a_rung_with_nobody_to_tell_falls_to_the_highest_that_has_someone(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    board = await create_board(client, world)
    rungs = nct_ladder(world, board["id"])[:3]  # no Head of Service post held
    await set_ladder(client, world, rungs)
    await procedure_due(client, world, DUE)
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=date(2026, 12, 1))
    assert await escalations(world) == [("1m", "approver")]


async def test_a_review_date_moved_later_climbs_the_ladder_again(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await nct_setup(client, world)
    document = await procedure_due(client, world, DUE)
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=DUE)
    assert await escalations(world) == [("0d", "author")]
    moved = DUE + timedelta(days=7)
    got = await client.get(
        f"/v1/documents/{document['id']}", headers=world.a.policy_officer.headers
    )
    patched = await client.patch(
        f"/v1/documents/{document['id']}",
        json={"next_review_due": moved.isoformat()},
        headers={**world.a.policy_officer.headers, "If-Match": got.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=moved)
    async with world.sessionmaker() as session:
        keys = sorted(
            (
                await session.execute(
                    select(Notification.dedupe_key).where(Notification.kind == "review.escalated")
                )
            ).scalars()
        )
    assert [key.split(":")[2] for key in keys] == [DUE.isoformat(), moved.isoformat()]


async def test_without_a_ladder_the_escalation_contact_is_told_as_before(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await admin_escalates(world)
    # A ladder set, then taken away: the default again.
    await set_ladder(client, world, nct_ladder(world, (await create_board(client, world))["id"]))
    reset = await client.delete("/v1/escalation-ladder", headers=world.a.policy_officer.headers)
    assert reset.status_code == 204
    document = await procedure_due(client, world, DUE)
    await sweep_reviews(
        world.sessionmaker, settings, RecordingTransport(), today=date(2026, 11, 30)
    )
    async with world.sessionmaker() as session:
        [escalation] = (
            await session.execute(
                select(Notification).where(Notification.kind == "review.escalated")
            )
        ).scalars()
    assert escalation.dedupe_key == (
        f"review:{document['id']}:{DUE.isoformat()}:escalated:{world.a.admin.person_id}"
    )
    assert escalation.context["months"] == 2
    assert "rung" not in escalation.context


async def test_a_rung_email_says_which_step_and_as_what_the_person_is_told(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    mail_settings = settings.model_copy(
        update={"frontend_base_url": "http://policygov.example/", "mail_dir": tmp_path / "mail"}
    )
    board = await nct_setup(client, world)
    await procedure_due(client, world, DUE)
    await sweep_reviews(
        world.sessionmaker, settings, RecordingTransport(), today=date(2026, 12, 30)
    )
    async with world.sessionmaker() as session:
        chair = (
            await session.execute(
                select(Notification).where(
                    Notification.kind == "review.escalated",
                    Notification.recipient_person_id == world.a.reader.person_id,
                )
            )
        ).scalar_one()
    text, html = parts(render(chair, mail_settings))
    assert "step 4 of 4" in html
    assert "step 4 of 4" in text
    assert f"chair of {board['name']}" in text
    assert "3 months after the due date" in text


async def test_a_sweep_with_a_ladder_and_nothing_new_reads_no_more_for_more_documents(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    # Every minute: posts and boards are read once per sweep, not once per document, even when
    # the sweep reads every document due (a first run, new rules).
    await nct_setup(client, world)
    counts = []
    for more in (3, 9):
        for n in range(more):
            await procedure_due(client, world, DUE - timedelta(days=n))
        await sweep_reviews(
            world.sessionmaker, settings, RecordingTransport(), today=date(2027, 1, 5)
        )
        async with world.sessionmaker() as session, session.begin():
            await session.execute(delete(SweepMark))  # a full read: every document due
        with statements_of(world.sessionmaker) as statements:
            await sweep_reviews(
                world.sessionmaker, settings, RecordingTransport(), today=date(2027, 1, 5)
            )
        assert not [s for s in statements if s.startswith("INSERT INTO notifications")]
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
