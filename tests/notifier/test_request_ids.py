"""One request id follows a change from the request to the inbox (issue 18): the request's
X-Request-ID is on its outbox events, the notification and the webhook delivery they become,
the email's header, the webhook POST's header and the worker's log lines. Real PostgreSQL,
Redis, SMTP server (aiosmtpd), webhook receiver and notifier (relay, arq worker, jobs)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from services.domain.access import service as access
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.webhooks import WebhookDelivery
from services.domain.settings import Settings
from services.domain.webhooks import service as webhooks
from services.domain.webhooks.commands import NewSubscription
from services.notifier.worker import run_notifier
from tests.factories import World, document_body
from tests.log_capture import captured, json_lines
from tests.notifier.smtp_sink import Sink
from tests.webhook_receiver import Receiver, running

REQUEST_ID = "support-ticket-1234.abc"


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as started:
        yield started


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running(Receiver()) as started:
        yield started


@contextlib.asynccontextmanager
async def notifier_running(settings: Settings) -> AsyncIterator[None]:
    stopping = asyncio.Event()
    task = asyncio.create_task(run_notifier(settings, stopping))
    try:
        yield
    finally:
        stopping.set()
        await asyncio.wait_for(task, 20)


async def wait_for(condition: Any, seconds: float = 30.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110  polling what other tasks write
            await asyncio.sleep(0.05)


async def test_a_request_id_travels_from_the_request_to_the_email_and_the_webhook(
    client: AsyncClient,
    world: World,
    settings: Settings,
    sink: Sink,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    notifier_settings = settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "webhook_allowed_hosts": ["127.0.0.1"],
            "notifier_health_file": tmp_path / "health.json",
        }
    )
    async with world.sessionmaker() as session, session.begin():
        admin = await access.authenticate_api_key(session, world.a.admin.key)
        await webhooks.create_subscription(
            session, admin, notifier_settings, NewSubscription(url=receiver.url())
        )

    with captured("json") as stream:
        response = await client.post(
            "/v1/documents",
            # The owner is told by email; the subscriber by webhook.
            json=document_body(owner_id=str(world.a.approver.person_id)),
            headers={**world.a.policy_officer.headers, "X-Request-ID": REQUEST_ID},
        )
        assert response.status_code == 201
        assert response.headers["X-Request-ID"] == REQUEST_ID

        def worker_lines(logger: str, result: str) -> list[dict[str, Any]]:
            return [
                line
                for line in json_lines(stream)
                if line["logger"] == logger
                and line.get("request_id") == REQUEST_ID
                and line.get("result") == result
            ]

        async with notifier_running(notifier_settings):
            await wait_for(
                lambda: (
                    worker_lines("services.notifier.notifications", "sent")
                    and worker_lines("services.notifier.webhooks", "delivered")
                    # The sweep arq runs at start-up.
                    and any(line.get("sweep") == "sweep" for line in json_lines(stream))
                )
            )

    # The rows: the event the request wrote, the email and the delivery it became.
    async with world.sessionmaker() as session:
        events = (await session.execute(select(OutboxEvent))).scalars().all()
        notifications = (await session.execute(select(Notification))).scalars().all()
        deliveries = (await session.execute(select(WebhookDelivery))).scalars().all()
    caused = [event for event in events if event.request_id == REQUEST_ID]
    assert {event.type for event in caused} >= {"document.created"}
    [email] = [n for n in notifications if n.kind == "document.assigned"]
    assert email.request_id == REQUEST_ID and email.status == "sent"
    delivered = [d for d in deliveries if d.event_type == "document.created"]
    assert [d.request_id for d in delivered] == [REQUEST_ID]
    # The email and the POST as they arrived.
    [message] = sink.handler.received
    assert message["X-Request-ID"] == REQUEST_ID
    created = [r for r in receiver.received if b'"type":"document.created"' in r.body]
    assert [r.headers.get("x-request-id") for r in created] == [REQUEST_ID]
    # The log: the request's line, the send and the delivery, each naming the request.
    written = json_lines(stream)
    [request_line] = [x for x in written if x["logger"] == "services.api.requests"]
    assert request_line["request_id"] == REQUEST_ID and request_line["status"] == 201
    [sent] = worker_lines("services.notifier.notifications", "sent")
    assert (sent["kind"], sent["notification_id"]) == ("document.assigned", str(email.id))
    [posted] = [
        x
        for x in worker_lines("services.notifier.webhooks", "delivered")
        if x["event_type"] == "document.created"
    ]
    assert posted["delivery_id"] == str(delivered[0].id)
    # The sweep is logged too, with its counts and duration, and names no request.
    [swept, *_] = [x for x in written if x.get("sweep") == "sweep"]
    assert "request_id" not in swept and swept["duration_ms"] >= 0
    assert swept["message"].startswith("sweep done: review_notices ")
