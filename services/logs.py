"""Logging for the API and the notifier: one configuration, and no capability token written.

A calendar-feed address (`?token=`) and a consultee's link (`/consultation-links/<token>`, and
the `respond?token=` page its email points to) each open something without an API key. Whoever
reads the logs must not be able to open them, so every handler configured here passes its
records through ``RedactCapabilities`` first: the access log's request line, the application's
messages and arguments, and the text of any traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_CAPABILITIES = (
    # A consultee's link: the token is the path segment after /consultation-links/.
    re.compile(r"(/consultation-links/)[^/?#\s\"']+"),
    # Calendar feeds and the consultee's respond page: the value of a `token` query parameter.
    re.compile(r"([?&;]token=)[^&#\s\"']+", re.IGNORECASE),
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
        if record.exc_info and not record.exc_text:
            # Formatted now, once, so that the traceback's text is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


APPLICATION_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def logging_config() -> dict[str, Any]:
    """The dictConfig of both services: uvicorn's own loggers and format (for the API), the
    application's loggers at INFO under ``services``, and the redacting filter on every handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactCapabilities}},
        "formatters": {
            "uvicorn": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
            "application": {"format": APPLICATION_FORMAT},
        },
        "handlers": {
            "uvicorn": {
                "class": "logging.StreamHandler",
                "formatter": "uvicorn",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["redact"],
                "stream": "ext://sys.stdout",
            },
            "application": {
                "class": "logging.StreamHandler",
                "formatter": "application",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["uvicorn"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "services": {"level": "INFO"},
        },
        "root": {"handlers": ["application"], "level": "WARNING"},
    }
