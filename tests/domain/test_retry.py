"""Golden tests for retry delays."""

from __future__ import annotations

import random
from datetime import timedelta

from services.domain.notifications.retry import (
    EMAIL_MAX_ATTEMPTS,
    WEBHOOK_SCHEDULE,
    email_backoff,
    honour_retry_after,
    webhook_backoff,
)


def test_email_delays_double_with_jitter_and_stop_after_the_last_attempt() -> None:
    rng = random.Random(1)
    delays = [email_backoff(n, rng=rng) for n in range(1, EMAIL_MAX_ATTEMPTS)]
    for n, delay in enumerate(delays, start=1):
        full = min(timedelta(seconds=30) * 2 ** (n - 1), timedelta(hours=6))
        assert delay is not None and full / 2 <= delay <= full
    assert email_backoff(EMAIL_MAX_ATTEMPTS) is None


def test_webhook_delays_follow_the_svix_schedule() -> None:
    rng = random.Random(2)
    for attempts, expected in enumerate(WEBHOOK_SCHEDULE):
        delay = webhook_backoff(attempts, rng=rng)
        assert delay is not None and expected <= delay <= expected * 1.1
    assert [d.total_seconds() for d in WEBHOOK_SCHEDULE] == [
        0,
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        36000,
    ]
    assert webhook_backoff(len(WEBHOOK_SCHEDULE)) is None


def test_a_receivers_retry_after_extends_the_delay_but_not_beyond_a_day() -> None:
    assert honour_retry_after(timedelta(seconds=5), "120") == timedelta(seconds=120)
    assert honour_retry_after(timedelta(minutes=5), "10") == timedelta(minutes=5)
    assert honour_retry_after(timedelta(0), "999999") == timedelta(days=1)
    assert honour_retry_after(timedelta(seconds=5), "Wed, 21 Oct 2026 07:28:00 GMT") == timedelta(
        seconds=5
    )
