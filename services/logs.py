"""Logging for the API and the notifier: one configuration, and no capability token written.

A calendar-feed address (`?token=`) and a consultee's link (`/consultation-links/<token>`, and
the `respond?token=` page its email points to) each open something without an API key. Whoever
reads the logs must not be able to open them, so every handler configured here passes its
records through ``RedactCapabilities`` first: the request line, the application's messages,
arguments and fields, and the text of any traceback.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Literal

from opentelemetry import trace

from services.domain import correlation

REDACTED = "[redacted]"
_CAPABILITIES = (
    # A consultee's link: the token is the path segment after /consultation-links/; a read-and-
    # acknowledge link's after /acknowledgement-links/ (the acknowledgement page links there).
    re.compile(r"(/(?:consultation|acknowledgement)-links/)[^/?#\s\"']+"),
    # Calendar feeds and the consultee's respond page: the value of a `token` query parameter,
    # in an address or a query string on its own (a span's url.query).
    re.compile(r"((?:^|[?&;\s])token=)[^&#\s\"']+", re.IGNORECASE),
)


def redact(text: str) -> str:
    """``text`` with every capability token replaced by ``[redacted]``."""
    for pattern in _CAPABILITIES:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactCapabilities(logging.Filter):
    """Rewrites a record so that no capability token reaches a handler's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        for key, value in fields_of(record).items():
            if isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            # Formatted now, once, so that the traceback's text is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's coloured copy of its message
}
# Said by the request line's message already: not repeated after it in the text format.
_IN_REQUEST_MESSAGE = frozenset({"method", "path", "status", "duration_ms"})


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """What the record carries beyond a message: its ``extra=`` fields, None ones left out."""
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and not key.startswith("_") and value is not None
    }


class AddRequestId(logging.Filter):
    """Names, on every record, the request (or the row the notifier acts on) it was written
    for, unless the record names one already; and, while tracing, the trace it belongs to."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = correlation.current_request_id()
        if getattr(record, "trace_id", None) is None:
            context = trace.get_current_span().get_span_context()
            record.trace_id = format(context.trace_id, "032x") if context.is_valid else None
        return True


def _utc_timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """``<UTC time> <level> <logger>: <message> key=value ...``: for a terminal and make run."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        fields = fields_of(record)
        if record.name == REQUEST_LOGGER:
            fields = {k: v for k, v in fields.items() if k not in _IN_REQUEST_MESSAGE}
        text = f"{_utc_timestamp(record)} {record.levelname} {record.name}: {message}"
        text += "".join(f" {key}={_quoted(value)}" for key, value in fields.items())
        return self._with_traceback(record, text)

    def _with_traceback(self, record: logging.LogRecord, text: str) -> str:
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text


def _quoted(value: Any) -> str:
    # Quoted (and escaped) when it could be read as more than one field, or more than one line.
    text = str(value)
    plain = text and not any(c.isspace() or c in '"=' or not c.isprintable() for c in text)
    return text if plain else json.dumps(text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, then the
    record's fields (``request_id``, and the request line's ``route``, ``status``...)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc_timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


REQUEST_LOGGER = "services.api.requests"


def logging_config(log_format: Literal["text", "json"] = "text") -> dict[str, Any]:
    """The dictConfig of both services: one handler for everything (uvicorn's own messages,
    the request lines that replace its access log, the application's loggers at INFO under
    ``services``), in ``log_format``, every record redacted and named by its request id."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": RedactCapabilities},
            "request_id": {"()": AddRequestId},
        },
        "formatters": {"application": {"()": formatter}},
        "handlers": {
            "application": {
                "class": "logging.StreamHandler",
                "formatter": "application",
                # Named first, then redacted: the filter sees the record's fields too.
                "filters": ["request_id", "redact"],
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["application"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            # Replaced by services.api.requests (services/api/request_ids.py).
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "services": {"level": "INFO"},
        },
        "root": {"handlers": ["application"], "level": "WARNING"},
    }
