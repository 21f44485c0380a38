"""A sign-off stage's time limit (issue 20, item 7): its last day counted in the
organisation's working days (bank holidays and closure days not counted), those yet to decide
chased once the working day after, then the policy team told once, however often the sweep
runs; a chase is void once the stage is decided. Set up through the HTTP API; the real sweep
and relay; the queue is recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from services.api.sign_off import serialise
from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import london_today
from services.domain.models.notifications import Notification
from services.domain.notifications.sending import is_still_true
from services.domain.sign_off import time_limits
from services.notifier.relay import relay_once
from services.notifier.staff_sweeps import sweep_sign_off_time_limits
from tests.api.sign_off_support import decide, stage
from tests.api.voting_support import panel_stage, submitted, voters
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


async def _relay(world: World, transport: RecordingTransport) -> None:
    while await relay_once(world.sessionmaker, transport):
        pass


async def _told(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(select(Notification).where(Notification.kind == kind))
        return list(rows.scalars())


async def _close(client: AsyncClient, world: World, days: list[date]) -> None:
    """The organisation declares closure days (Christmas shutdown, say)."""
    got = await client.get("/v1/organisation", headers=world.a.admin.headers)
    changed = await client.patch(
        "/v1/organisation",
        json={"closure_days": [d.isoformat() for d in days]},
        headers={**world.a.admin.headers, "If-Match": got.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text


def _day(data: dict[str, Any], field: str) -> date:
    return date.fromisoformat(stage(data, "panel")[field])


async def test_those_yet_to_decide_are_chased_once_then_the_policy_team_told_once(
    client: AsyncClient,
    world: World,
    transport: RecordingTransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    england = WorkingCalendar("ENG")
    today = london_today()
    closed = [england.add_working_days(today, 1), england.add_working_days(today, 2)]
    await _close(client, world, closed)
    panel = await voters(client, world, 3)
    rule = panel_stage(
        panel, "simple_majority", time_limit_working_days=5, escalate_after_working_days=2
    )
    sign_off = await submitted(client, world, [rule])
    due = _day(sign_off, "due_on")
    # Five working days, the two closure days not counted.
    assert due == WorkingCalendar("ENG", frozenset(closed)).add_working_days(today, 5)
    assert due == england.add_working_days(today, 7)
    calendar = WorkingCalendar("ENG", frozenset(closed))
    chase = calendar.add_working_days(due, 1)
    escalate = calendar.add_working_days(chase, 2)
    assert (_day(sign_off, "chase_on"), _day(sign_off, "escalate_on")) == (chase, escalate)
    assert stage(sign_off, "panel")["is_overdue"] is False
    voted = await decide(client, sign_off, panel[0].headers)
    assert voted.status_code == 201, voted.text

    async def sweep(on: date) -> tuple[int, int]:
        return await sweep_sign_off_time_limits(world.sessionmaker, on)

    assert await sweep(due) == (0, 0)
    assert await sweep(chase) == (1, 0)
    assert await sweep(chase) == (0, 0)
    assert await sweep(calendar.add_working_days(escalate, -1)) == (0, 0)
    assert await sweep(escalate) == (0, 1)
    assert await sweep(calendar.add_working_days(escalate, 10)) == (0, 0)
    await _relay(world, transport)
    chased = await _told(world, "sign_off.stage_overdue")
    # Only those who have not voted are chased; the one who approved is not.
    assert sorted(str(n.recipient_person_id) for n in chased) == sorted(
        str(m.person_id) for m in panel[1:]
    )
    assert chased[0].context["due_on"] == due.isoformat()
    [told] = await _told(world, "sign_off.stage_escalated")
    assert told.recipient_person_id == world.a.policy_officer.person_id
    assert sorted(told.context["waiting_names"]) == ["Panel Member 2", "Panel Member 3"]
    assert (told.context["approvals"], told.context["eligible"]) == (1, 3)

    monkeypatch.setattr(serialise, "london_today", lambda: chase)
    got = await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.admin.headers)
    panel_now = stage(got.json(), "panel")
    assert panel_now["is_overdue"] is True
    assert panel_now["chased_at"] is not None and panel_now["escalated_at"] is not None

    # Decided meanwhile: a chase still queued is not sent.
    await decide(client, sign_off, panel[1].headers)
    async with world.sessionmaker() as session:
        assert await is_still_true(session, chased[0]) is False
        assert await is_still_true(session, told) is False
    got = await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.admin.headers)
    assert got.json()["status"] == "completed"
    assert stage(got.json(), "panel")["is_overdue"] is False


async def test_a_time_limit_over_christmas_skips_the_bank_holidays(
    client: AsyncClient,
    world: World,
    transport: RecordingTransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Submitted on Wednesday 23 December 2026.
    monkeypatch.setattr(time_limits, "london_today", lambda: date(2026, 12, 23))
    panel = await voters(client, world, 2)
    rule = panel_stage(panel, "all", time_limit_working_days=3, escalate_after_working_days=2)
    sign_off = await submitted(client, world, [rule])
    # Thursday 24 counts; Christmas Day, the weekend and Monday 28 (Boxing Day moved) do not.
    assert _day(sign_off, "due_on") == date(2026, 12, 30)
    assert _day(sign_off, "chase_on") == date(2026, 12, 31)
    # New Year's Day does not count either: Monday 4 and Tuesday 5 January.
    assert _day(sign_off, "escalate_on") == date(2027, 1, 5)

    async def sweep(on: date) -> tuple[int, int]:
        return await sweep_sign_off_time_limits(world.sessionmaker, on)

    assert await sweep(date(2026, 12, 30)) == (0, 0)
    assert await sweep(date(2026, 12, 31)) == (1, 0)
    assert await sweep(date(2027, 1, 4)) == (0, 0)
    assert await sweep(date(2027, 1, 5)) == (0, 1)
    await _relay(world, transport)
    assert len(await _told(world, "sign_off.stage_overdue")) == 2


async def test_a_stage_decided_in_time_or_without_a_limit_is_never_chased(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    panel = await voters(client, world, 2)
    limited = panel_stage(panel, "any", time_limit_working_days=1)
    then = panel_stage(panel, "any", key="unlimited")
    sign_off = await submitted(client, world, [limited, then])
    approved = await decide(client, sign_off, panel[0].headers)
    assert approved.status_code == 201, approved.text
    assert stage(approved.json(), "unlimited")["status"] == "active"
    assert stage(approved.json(), "unlimited")["due_on"] is None
    far = WorkingCalendar("ENG").add_working_days(london_today(), 60)
    assert await sweep_sign_off_time_limits(world.sessionmaker, far) == (0, 0)
    await _relay(world, transport)
    assert await _told(world, "sign_off.stage_overdue") == []
