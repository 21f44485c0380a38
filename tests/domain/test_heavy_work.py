"""Heavy work in a child process: killed past its time limit, refused past its memory limit,
its domain errors passed on as they are."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from services.domain.documents.text import PLAIN_TEXT, extract_text
from services.domain.errors import Invalid, PayloadTooLarge
from services.domain.heavy_work import HeavyLimits, TookTooLong, run_bounded


async def test_the_work_runs_in_another_process_and_its_result_comes_back() -> None:
    assert await run_bounded(os.getpid, limits=HeavyLimits()) != os.getpid()
    text = await run_bounded(
        extract_text, b"Scope\r\n\r\nStorage", PLAIN_TEXT, limits=HeavyLimits()
    )
    assert text == "Scope\n\nStorage"


async def test_work_past_the_time_limit_is_killed_and_refused_as_422() -> None:
    started = time.monotonic()
    with pytest.raises(TookTooLong, match=r"longer than the limit of 0\.5 seconds") as refused:
        await run_bounded(time.sleep, 30, limits=HeavyLimits(time_seconds=0.5))
    assert time.monotonic() - started < 5
    assert refused.value.status == 422


async def test_work_past_the_memory_limit_is_refused_as_413() -> None:
    limits = HeavyLimits(memory_bytes=512 * 1024 * 1024)
    with pytest.raises(PayloadTooLarge, match="more memory than the limit"):
        await run_bounded(bytearray, 1024 * 1024 * 1024, limits=limits)


async def test_a_domain_error_in_the_child_is_raised_as_it_is() -> None:
    with pytest.raises(Invalid, match="NUL bytes"):
        await run_bounded(extract_text, b"a\x00b", PLAIN_TEXT, limits=HeavyLimits())


async def test_a_cancelled_request_keeps_its_slot_until_its_child_is_ended() -> None:
    # Otherwise clients that hang up could start any number of children at once.
    limits = HeavyLimits(time_seconds=1.5, concurrency=1)
    abandoned = asyncio.ensure_future(run_bounded(time.sleep, 30, limits=limits))
    await asyncio.sleep(0.3)
    abandoned.cancel()
    started = time.monotonic()
    assert await run_bounded(os.getpid, limits=limits) != os.getpid()
    assert time.monotonic() - started > 0.9  # it waited for the child killed at 1.5 s
