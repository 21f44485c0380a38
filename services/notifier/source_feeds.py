"""The daily poll of statutory sources' Atom feeds (NCT 3.2: changes in legislation or
statutory guidance). The domain decides and does it (services/domain/source_feeds/service.py):
each new entry is recorded once, whatever how often this runs, so a missed day or two workers
at once do no harm. It runs from here because the notifier is the process with a clock."""

from __future__ import annotations

from typing import Any

from services.domain.source_feeds.service import poll_feeds
from services.notifier.health import log_failure, unavailable_dependency


async def poll_source_feeds(ctx: dict[str, Any]) -> str:
    """Cron, daily: read every source's feed not read for a day; record new entries."""
    try:
        swept = await poll_feeds(ctx["sessionmaker"], ctx["settings"])
    except Exception as exc:
        if unavailable_dependency(exc) is None:
            raise
        log_failure("source feeds", exc, 1, None)
        return "skipped"
    return f"polled={swept.polled} changes={swept.changes} failed={len(swept.failed)}"
