"""Print the OpenAPI schema: `python -m services.api.openapi > openapi/openapi.json`.

Building the app opens no connection (the engine and the Redis client connect on first use), so
this runs without PostgreSQL or Redis; the output is stable so the committed file can be diffed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from services.api.app import create_app
from services.domain.settings import Settings


def openapi_schema() -> dict[str, Any]:
    """The schema the app serves at /openapi.json."""
    return create_app(Settings()).openapi()


def render(schema: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, a trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render(openapi_schema()))


if __name__ == "__main__":
    main()
