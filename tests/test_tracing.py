"""Tracing (issue 18, item 3): off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; set, one trace
follows a change from the request, through its SQL and the outbox, to the notifier's send, as
a real collector (tests/otlp_receiver.py) receives it over OTLP/HTTP."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
from httpx import AsyncClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from services import tracing
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.settings import Settings
from tests.api.boards_support import create_board
from tests.factories import World, document_body
from tests.otlp_receiver import Collector, ReceivedSpan, collecting
from tests.test_cli import policygov_started


async def test_without_an_endpoint_nothing_is_set_up_and_nothing_is_carried(
    client: AsyncClient, world: World
) -> None:
    assert not tracing.is_enabled()
    assert tracing.set_up("policygov-test") is False
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    response = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(world.a.approver.person_id)),
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201
    async with world.sessionmaker() as session:
        events = (await session.execute(select(OutboxEvent))).scalars().all()
    assert events and all(event.traceparent is None for event in events)
    # The request id is carried all the same.
    assert {event.request_id for event in events} == {response.headers["X-Request-ID"]}


def spans_of(collector: Collector, trace_id: str) -> list[ReceivedSpan]:
    return [span for span in collector.received() if span.trace_id == trace_id]


async def test_one_trace_follows_a_change_from_the_request_to_the_email(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    board = await create_board(client, world)
    h = world.a.reader.headers
    feed = (await client.get(f"/v1/boards/{board['id']}/calendar-feed", headers=h)).json()["url"]
    feed_path = feed[feed.index("/v1/") :]
    with collecting() as collector:
        async with policygov_started(
            settings,
            tmp_path,
            "run",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.endpoint,
            OTEL_BSP_SCHEDULE_DELAY="100",
            POLICYGOV_API_WORKERS="1",
        ) as (process, port):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                response = await http.post(
                    "/v1/documents",
                    json=document_body(owner_id=str(world.a.approver.person_id)),
                    headers={**world.a.policy_officer.headers, "X-Request-ID": "traced-1"},
                )
                assert (await http.get(feed_path)).status_code == 200
            assert response.status_code == 201
            async with asyncio.timeout(60):
                while not any(s.name == "email.send" for s in collector.received()):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)

    async with world.sessionmaker() as session:
        [email] = (await session.execute(select(Notification))).scalars().all()
    assert email.request_id == "traced-1" and email.traceparent is not None
    trace_id = email.traceparent.split("-")[1]
    spans = spans_of(collector, trace_id)
    by_service = {(s.service, s.name) for s in spans}
    # The request's span (FastAPI's own), its SQL, and the notifier's send with its SQL.
    [request] = [s for s in spans if s.service == "policygov-api" and not s.parent_span_id]
    assert request.name == "POST /v1/documents", by_service
    api_sql = [s for s in spans if s.service == "policygov-api" and "db.system" in s.attributes]
    assert any("INSERT INTO outbox_events" in str(s.attributes) for s in api_sql), by_service
    [send] = [s for s in spans if s.name == "email.send"]
    assert send.service == "policygov-notifier"
    assert send.attributes["policygov.request_id"] == "traced-1"
    assert send.attributes["policygov.result"] == "sent"
    assert any(
        s.service == "policygov-notifier" and s.parent_span_id == send.span_id for s in spans
    ), by_service
    # The notifier's log line names the trace as well as the request.
    [sent_line] = [x for x in (tmp_path / "run.log").read_text().splitlines() if "email sent" in x]
    assert "request_id=traced-1" in sent_line and f"trace_id={trace_id}" in sent_line
    # The feed was traced, its token was not (as in the logs).
    received = collector.received()
    assert any(
        s.attributes.get("http.route", "").startswith("/v1/calendar-feeds") for s in received
    )
    token = feed_path.partition("token=")[2]
    assert not [s for s in received if token in f"{s.name} {s.attributes}"]


def test_span_attributes_leave_the_process_redacted() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(tracing.RedactingExporter(memory)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("GET /v1/consultation-links/SECRET1") as span:
        span.set_attribute("url.query", "token=SECRET2&a=1")
        span.set_attribute("http.status_code", 200)
        span.add_event("exception", {"exception.message": "no /v1/consultation-links/SECRET3"})
    [exported] = memory.get_finished_spans()
    assert exported.name == "GET /v1/consultation-links/[redacted]"
    assert exported.attributes == {"url.query": "token=[redacted]&a=1", "http.status_code": 200}
    assert exported.events[0].attributes == {
        "exception.message": "no /v1/consultation-links/[redacted]"
    }
