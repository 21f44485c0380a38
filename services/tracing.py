"""Tracing with OpenTelemetry: off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

Set, each process (every API worker, the notifier) sends its spans over OTLP/HTTP to that
collector, named by ``OTEL_SERVICE_NAME`` (else policygov-api or policygov-notifier); the
other standard ``OTEL_*`` variables apply (``OTEL_EXPORTER_OTLP_HEADERS``,
``OTEL_TRACES_SAMPLER``, ``OTEL_BSP_SCHEDULE_DELAY``...). Spans: each request (FastAPI's own
telemetry, on once a tracer provider is set: services/api/app.py), each SQL statement on our
engines, each HTTP request of the notifier's client (a webhook POST carries ``traceparent``),
and the notifier's work: each email send and webhook delivery as a child of the request that
caused it (its ``traceparent``, kept on the outbox event and passed on to the notification or
delivery), each relay round and each sweep.

Unset, nothing here is set up: OpenTelemetry's API stays a no-op (no provider, no exporter, no
thread), and ``span`` costs a function call.

Span attributes pass through the same redaction as the logs before they leave the process: a
consultee's link or a feed's ``?token=`` is in a request's path and query.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.util.types import AttributeValue
from sqlalchemy.ext.asyncio import AsyncEngine

from services.logs import redact

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
_TRACER = "policygov"


def is_enabled() -> bool:
    """Whether this process traces: a collector is named."""
    return bool(os.environ.get(ENDPOINT_VARIABLE))


def set_up(service_name: str) -> bool:
    """Once per process, and only when a collector is named: a tracer provider exporting to it
    (redacted, in batches), and the notifier's HTTP client instrumented. Whether tracing is on."""
    if not is_enabled():
        return False
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return True  # set up already (an app made twice in one process)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME, when set, wins over this default (Resource.create reads it).
    resource = Resource.create(
        {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(RedactingExporter(OTLPSpanExporter())))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    return True


def instrument_engine(engine: AsyncEngine) -> None:
    """A span per SQL statement on ``engine`` (and the engines derived from it), if tracing."""
    if not is_enabled():
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeter

    # What SQLAlchemyInstrumentor().instrument(engine=...) does, for each engine rather than
    # once per process, and without its dependency check (it names SQLAlchemy < 2.1).
    usage = NoOpMeter("policygov").create_up_down_counter("db.client.connections.usage")
    EngineTracer(
        trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage
    )


@contextmanager
def span(
    name: str,
    traceparent: str | None = None,
    attributes: Mapping[str, AttributeValue | None] | None = None,
) -> Iterator[trace.Span]:
    """A span of the notifier's work, a child of ``traceparent`` (the request that caused it)
    when there is one, else of the current span."""
    context = propagate.extract({"traceparent": traceparent}) if traceparent else None
    kept = {key: value for key, value in (attributes or {}).items() if value is not None}
    with trace.get_tracer(_TRACER).start_as_current_span(
        name, context=context, attributes=kept
    ) as current:
        yield current


def _redacted(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        key: redact(value) if isinstance(value, str) else value
        for key, value in (attributes or {}).items()
    }


class RedactingExporter(SpanExporter):
    """Passes spans on to ``exporter`` with every string attribute (and event attribute, an
    exception's message) redacted as the logs are."""

    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        redacted = [
            ReadableSpan(
                name=redact(s.name),
                context=s.context,
                parent=s.parent,
                resource=s.resource,
                attributes=_redacted(s.attributes),
                events=[Event(e.name, _redacted(e.attributes), e.timestamp) for e in s.events],
                links=s.links,
                kind=s.kind,
                status=s.status,
                start_time=s.start_time,
                end_time=s.end_time,
                instrumentation_scope=s.instrumentation_scope,
            )
            for s in spans
        ]
        return self.exporter.export(redacted)

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return bool(self.exporter.force_flush(timeout_millis))
