"""The notifier worker starts and runs jobs on real Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from services.domain.settings import Settings
from services.notifier.worker import HEARTBEAT_KEY, WorkerSettings, health_check


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


async def test_policygov_worker_starts_and_stops_cleanly(settings: Settings) -> None:
    pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    await pool.delete(HEARTBEAT_KEY)
    env = {
        **os.environ,
        "POLICYGOV_REDIS_URL": settings.redis_url,
        "POLICYGOV_SECRET_KEY": str(settings.secret_key),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            if await pool.get(HEARTBEAT_KEY):
                break
            await asyncio.sleep(0.1)
        assert await pool.get(HEARTBEAT_KEY), "the worker did not record a heartbeat"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0].decode()
        await pool.aclose()
    assert process.returncode == 0, output
