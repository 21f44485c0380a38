"""The notifier's own health: which of its dependencies are down, and since when.

The notifier keeps one of these, publishes it (to Redis, and to a file for when Redis is the
thing that is down), and the API's readiness check repeats what it last said.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from services.domain.clock import utcnow

# Where the notifier publishes its health in Redis; it expires if the notifier stops writing.
NOTIFIER_HEALTH_KEY = "policygov:notifier:health"


@dataclass
class DependencyHealth:
    """Every dependency of one process that is down now: name -> (since, last error)."""

    down: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def mark_down(self, dependency: str, reason: str) -> bool:
        """Record ``dependency`` as down; True if it was up until now."""
        since = self.down.get(dependency, (utcnow(), reason))[0]
        was_up = dependency not in self.down
        self.down[dependency] = (since, reason)
        return was_up

    def mark_up(self, dependency: str) -> datetime | None:
        """Record ``dependency`` as up again; when it went down, if it was down."""
        gone = self.down.pop(dependency, None)
        return gone[0] if gone else None

    @property
    def status(self) -> str:
        return "degraded" if self.down else "ok"

    def as_json(self) -> str:
        return json.dumps(
            {
                "status": self.status,
                "down": {
                    name: {"since": since.isoformat(), "error": reason}
                    for name, (since, reason) in sorted(self.down.items())
                },
                "at": utcnow().isoformat(),
            }
        )


def describe(published: bytes | str | None) -> str:
    """One line for a readiness check from what the notifier last published."""
    if not published:
        return "not reporting"
    health = json.loads(published)
    if health["status"] == "ok":
        return "ok"
    return "degraded: " + ", ".join(f"{name} down" for name in sorted(health["down"]))
