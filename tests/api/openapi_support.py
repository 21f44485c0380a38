"""Finding the documented operation that answered a request."""

from __future__ import annotations

import re
from typing import Any


def operation_for(schema: dict[str, Any], method: str, url: str) -> tuple[str, dict[str, Any]]:
    """The path template and operation of the spec that `method url` is served by."""
    for template, item in schema["paths"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url) and method in item:
            return template, item[method]
    raise AssertionError(f"{method.upper()} {url} is not in the spec")
