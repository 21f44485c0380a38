"""The notifier worker starts and runs jobs on real Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from services.domain.settings import Settings
from services.notifier.worker import (
    HEARTBEAT_KEY,
    STUCK_EXIT_STATUS,
    WorkerSettings,
    cancel_until_done,
    health_check,
    stop_on_signals,
)


async def test_the_health_job_runs_through_the_queue(settings: Settings) -> None:
    redis_settings = RedisSettings.from_dsn(settings.redis_url)
    # A queue of its own: other tests leave jobs in the shared one.
    queue = f"test-health-{uuid.uuid4()}"
    pool = await create_pool(
        redis_settings,
        job_serializer=WorkerSettings.job_serializer,
        job_deserializer=WorkerSettings.job_deserializer,
        default_queue_name=queue,
    )
    try:
        await pool.delete(HEARTBEAT_KEY)
        job = await pool.enqueue_job("health_check")
        assert job is not None
        worker = Worker(
            functions=[health_check],
            redis_settings=redis_settings,
            queue_name=queue,
            job_serializer=WorkerSettings.job_serializer,
            job_deserializer=WorkerSettings.job_deserializer,
            burst=True,
            poll_delay=0.05,
        )
        await worker.main()
        await worker.close()
        result = await job.result(timeout=5)
        assert await pool.get(HEARTBEAT_KEY) == result.encode()
    finally:
        await pool.aclose()


async def test_policygov_worker_starts_and_stops_cleanly(
    settings: Settings, tmp_path: Path
) -> None:
    # Its own health file: written by this process only, once its signal handlers are set, so
    # neither another test's worker on the same Redis database nor an early SIGTERM can pass
    # for it (the heartbeat key is shared by every worker there).
    health_file = tmp_path / "notifier-health.json"
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    await pool.delete(HEARTBEAT_KEY)
    env = {
        **os.environ,
        "POLICYGOV_REDIS_URL": settings.redis_url,
        "POLICYGOV_SECRET_KEY": str(settings.secret_key),
        "POLICYGOV_NOTIFIER_HEALTH_FILE": str(health_file),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            if health_file.exists() and await pool.get(HEARTBEAT_KEY):
                break
            await asyncio.sleep(0.1)
        assert health_file.exists(), "the worker did not publish its health"
        assert await pool.get(HEARTBEAT_KEY), "the worker did not record a heartbeat"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0].decode()
        await pool.aclose()
    assert process.returncode == 0, output


async def test_a_stop_that_hangs_is_ended_after_the_grace_and_says_what_it_waited_for(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopping = asyncio.Event()
    exits: list[int] = []
    stop_on_signals(stopping, grace_seconds=0.2, force_exit=exits.append)
    forever = asyncio.get_running_loop().create_future()

    async def never_finishes_closing() -> None:
        await forever

    stuck = asyncio.create_task(never_finishes_closing(), name="stuck-close")
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.05)
        assert stopping.is_set()
        assert exits == []
        await asyncio.sleep(0.4)
        assert exits == [STUCK_EXIT_STATUS]
        [record] = [r for r in caplog.records if "still stopping" in r.getMessage()]
        assert "stuck-close [never_finishes_closing" in record.getMessage()
    finally:
        stuck.cancel()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def test_a_task_that_loses_a_cancellation_is_cancelled_again_until_it_ends() -> None:
    # As arq's poll loop did when asyncio.wait_for (Python 3.11) swallowed the cancellation
    # arriving as a Redis reply did: it went on polling, and SIGTERM waited for the watchdog.
    cancellations = 0

    async def polls_on_after_one_cancel() -> None:
        nonlocal cancellations
        while True:
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                cancellations += 1
                if cancellations > 1:
                    raise

    async def ends_at_the_first() -> None:
        await asyncio.sleep(60)

    stubborn = asyncio.create_task(polls_on_after_one_cancel())
    plain = asyncio.create_task(ends_at_the_first())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_until_done([stubborn, plain], every=0.05), timeout=5)
    assert stubborn.cancelled() and plain.cancelled()
    assert cancellations == 2
