"""Launch and cascade in the notifier: a plan item whose day passes unsent reminds whoever it
names to send it, once; each subscriber gets one digest per period of what they chose, sent
through the real SMTP sink, nothing when there is nothing to say, and a digest lost with Redis
is queued again from its stored notification.

Real PostgreSQL, the real sweep, relay and send job; SMTP is the aiosmtpd sink."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import Message

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from services.domain.clock import london_today
from services.domain.models.notifications import Notification, NotificationStatus
from services.domain.notifications.sending import is_still_true
from services.domain.settings import Settings
from services.notifier.email import render
from services.notifier.notifications import send_notification
from services.notifier.relay import requeue_due
from services.notifier.staff_sweeps import sweep_launch
from services.notifier.sweeps import sweep_all
from tests.api.launch_support import add_version, added_item, document_with_draft, subscribe
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink
from tests.notifier.test_email import EVERY_SAMPLE, mail_settings, make_notification, parts

__all__ = ["mail_settings"]  # the fixture, shared with test_email

OVERDUE, DIGEST = "communication_plan.overdue", "news.digest"


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as running:
        yield running


async def _notifications(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification).where(Notification.kind == kind).order_by(Notification.dedupe_key)
        )
        return list(rows.scalars())


def _next_monday() -> date:
    """The next digest day after today (Monday, the default): its week holds today."""
    today = london_today()
    return today + timedelta(days=7 - today.weekday())


async def test_a_plan_item_gone_unsent_reminds_its_owner_once(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    item = await added_item(
        client, a, document_id, owner_id=str(a.policy_officer.person_id), planned_on=
        (london_today() + timedelta(days=2)).isoformat(),
    )  # fmt: skip
    planned = date.fromisoformat(item["planned_on"])
    assert await sweep_launch(world.sessionmaker, transport, planned) == 0  # its day: not late
    assert await sweep_launch(world.sessionmaker, transport, planned + timedelta(days=1)) == 1
    assert await sweep_launch(world.sessionmaker, transport, planned + timedelta(days=1)) == 0
    assert await sweep_launch(world.sessionmaker, transport, planned + timedelta(days=5)) == 0
    [reminder] = await _notifications(world, OVERDUE)
    assert reminder.recipient_person_id == a.policy_officer.person_id
    assert reminder.dedupe_key == f"communication_plan_item:{item['id']}:overdue"
    assert reminder.context["audience"] == "Team and Service Managers"
    assert reminder.context["channel"] == "team and service meetings"
    # Once it is marked sent, the queued reminder is void.
    async with world.sessionmaker() as session:
        assert await is_still_true(session, reminder) is True
    sent = await client.post(
        f"/v1/communication-plan-items/{item['id']}/sent", json={}, headers=a.author.headers
    )
    assert sent.status_code == 200, sent.text
    async with world.sessionmaker() as session:
        found = await session.get(Notification, reminder.id)
        assert found is not None and await is_still_true(session, found) is False


def _body(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text part")


async def test_each_subscriber_gets_one_digest_a_week_of_what_they_chose(
    client: AsyncClient,
    world: World,
    transport: RecordingTransport,
    settings: Settings,
    sink: Sink,
) -> None:
    a = world.a
    procedure = await document_with_draft(
        client, a, kind="procedure", service_area="Adult Social Care", title="Safeguarding adults"
    )
    await add_version(client, a, procedure, issued=True, summary="Section 42 enquiries: 5 days.")
    await subscribe(client, a, "reader", service_areas=["Adult Social Care"])
    await subscribe(client, a, "author", kinds=["form"])  # nothing to say: no email
    await subscribe(client, a, "approver")  # everything
    monday = _next_monday()
    # Before the week's digest day, last week's had nothing in it.
    assert await sweep_launch(world.sessionmaker, transport, monday - timedelta(days=1)) == 0
    assert await sweep_launch(world.sessionmaker, transport, monday) == 2
    assert await sweep_launch(world.sessionmaker, transport, monday) == 0
    assert await sweep_launch(world.sessionmaker, transport, monday + timedelta(days=3)) == 0
    digests = await _notifications(world, DIGEST)
    assert {d.recipient_person_id for d in digests} == {a.reader.person_id, a.approver.person_id}
    week = (monday - timedelta(days=7)).isoformat()
    assert {d.dedupe_key for d in digests} == {
        f"digest:weekly:{week}:{a.reader.person_id}",
        f"digest:weekly:{week}:{a.approver.person_id}",
    }

    ctx = {
        "settings": settings.model_copy(
            update={"mail_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": sink.port}
        ),
        "sessionmaker": world.sessionmaker,
        "transport": transport,
    }
    for digest in digests:
        assert await send_notification(ctx, str(digest.id)) == "sent"
    [mail] = [m for m in sink.handler.received if "reader@" in str(m["To"])]
    subject = " ".join(str(mail["Subject"]).split())
    assert subject.startswith("Weekly policy update: 1 issued, 0 changed, 0 retired")
    text = _body(mail)
    assert "Safeguarding adults (version 1.0)" in text
    assert "Section 42 enquiries: 5 days." in text
    assert f"/documents/{procedure}" in text


async def test_a_digest_lost_with_redis_is_queued_again_from_its_stored_notification(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    await add_version(client, a, document_id, issued=True)
    await subscribe(client, a)
    transport.broken = True  # Redis is down while the sweep runs
    # Made and stored; the queue could not take it (the relay logs it and goes on).
    assert await sweep_launch(world.sessionmaker, transport, _next_monday()) == 1
    assert transport.jobs == []
    [digest] = await _notifications(world, DIGEST)  # stored before any sending
    assert digest.status == NotificationStatus.PENDING
    transport.broken = False
    # Made once: the sweep does not make it again; the re-queueing sends it.
    assert await sweep_launch(world.sessionmaker, transport, _next_monday()) == 0
    await requeue_due(world.sessionmaker, transport)
    assert [target for _, target, _, _ in transport.jobs] == [digest.id]


async def test_a_monthly_organisation_sends_the_month_on_the_first_of_its_weekday(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    """Dorset 5.2: "The details of approved documents will be communicated each month"."""
    a = world.a
    org = await client.get("/v1/organisation", headers=a.admin.headers)
    changed = await client.patch(
        "/v1/organisation",
        json={"digest_frequency": "monthly", "digest_weekday": 1},
        headers={**a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["digest_frequency"], changed.json()["digest_weekday"]) == ("monthly", 1)
    document_id = await document_with_draft(client, a)
    await add_version(client, a, document_id, issued=True)
    await subscribe(client, a)
    today = london_today()
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    first_tuesday = following + timedelta(days=(1 - following.weekday()) % 7)
    assert await sweep_launch(world.sessionmaker, transport, first_tuesday - timedelta(days=1)) == 0
    assert await sweep_launch(world.sessionmaker, transport, first_tuesday) == 1
    [digest] = await _notifications(world, DIGEST)
    assert digest.dedupe_key == f"digest:monthly:{today:%Y-%m}:{a.reader.person_id}"
    bad = await client.patch(
        "/v1/organisation",
        json={"digest_frequency": "daily"},
        headers={**a.admin.headers, "If-Match": changed.headers["ETag"]},
    )
    assert bad.status_code == 422, bad.text


async def test_sweep_all_runs_the_launch_sweep(
    client: AsyncClient, world: World, transport: RecordingTransport, settings: Settings
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    await added_item(client, a, document_id, planned_on=(london_today()).isoformat())
    report = await sweep_all(
        world.sessionmaker, settings, transport, today=london_today() + timedelta(days=1)
    )
    assert report.launch_notices == 1
    assert uuid.UUID(str((await _notifications(world, OVERDUE))[0].id))


def test_the_digest_email_lists_each_change_under_its_heading_with_links(
    mail_settings: Settings,
) -> None:
    notification = make_notification(
        "news.digest",
        more=12,
        entries=[
            {**e, "title": e["title"] + " <script>x</script>"}
            for e in EVERY_SAMPLE["news.digest"]["entries"]
        ],
    )
    message = render(notification, mail_settings)
    text, html = parts(message)
    for body in (text, html):
        assert body.index("Issued") < body.index("Changed") < body.index("Retired")
        assert "Section 42" not in body  # only what the sample holds
        assert "Supervision every four weeks, not six." in body
        for entry in EVERY_SAMPLE["news.digest"]["entries"]:
            assert f"http://policygov.example/documents/{entry['document_id']}" in body
        assert "12 more" in body
    assert "CS-PO-003 Supervision policy <script>x</script> (version 2.0)" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    # A retired document is not given a version to read.
    assert "Paper referral form <script>x</script>, Form" in text
