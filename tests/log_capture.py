"""What the services' log handler writes, captured: the same formatter and filters as
``services.logs.logging_config``, on a StringIO, for the ``services`` loggers at INFO."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from services.logs import AddRequestId, JsonFormatter, RedactCapabilities, TextFormatter


@contextmanager
def captured(log_format: Literal["text", "json"] = "json") -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(AddRequestId())
    handler.addFilter(RedactCapabilities())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger = logging.getLogger("services")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Each line written, parsed: a line that is not one JSON object fails the test."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]
