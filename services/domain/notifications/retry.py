"""When to try again after a transient failure."""

from __future__ import annotations

import random
from datetime import timedelta

# Svix's schedule, which Standard Webhooks receivers expect: immediately, 5 s, 5 min, 30 min,
# 2 h, 5 h, 10 h, 10 h. After the last one the delivery has failed.
WEBHOOK_SCHEDULE = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
EMAIL_BASE = timedelta(seconds=30)
EMAIL_CAP = timedelta(hours=6)
EMAIL_MAX_ATTEMPTS = 10


def email_backoff(
    attempts: int, base: timedelta = EMAIL_BASE, rng: random.Random | None = None
) -> timedelta | None:
    """Delay before the next email attempt after ``attempts`` failures; None when giving up.

    Exponential (30 s, 1 min, 2 min, ...) capped at six hours, with full jitter between half
    and all of it so that retries after an outage do not arrive together.
    """
    if attempts >= EMAIL_MAX_ATTEMPTS:
        return None
    delay = min(base * (2 ** max(attempts - 1, 0)), EMAIL_CAP)
    fraction = (rng or random).uniform(0.5, 1.0)
    return delay * fraction


def webhook_backoff(attempts: int, rng: random.Random | None = None) -> timedelta | None:
    """Delay before the next webhook attempt after ``attempts`` tries; None when giving up.

    Follows WEBHOOK_SCHEDULE with up to 10% jitter.
    """
    if attempts >= len(WEBHOOK_SCHEDULE):
        return None
    delay = WEBHOOK_SCHEDULE[attempts]
    return delay * (rng or random).uniform(1.0, 1.1)


def honour_retry_after(delay: timedelta, retry_after: str | None) -> timedelta:
    """A receiver's Retry-After (seconds) extends the delay, up to a day."""
    if retry_after and retry_after.strip().isdigit():
        asked = timedelta(seconds=min(int(retry_after.strip()), 86_400))
        return max(delay, asked)
    return delay
