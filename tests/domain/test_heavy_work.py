"""Heavy work in a child process: killed past its time limit, refused past its memory limit,
its domain errors passed on as they are."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

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


SCRIPT = """
import asyncio, os
import marker  # stands for what a console script imports (policygov: services.cli)
from services.domain.heavy_work import HeavyLimits, run_bounded

async def jobs():
    return [await run_bounded(os.getpid, limits=HeavyLimits()) for _ in range(3)]

if __name__ == "__main__":
    print(" ".join(str(pid) for pid in asyncio.run(jobs())))
"""


@pytest.mark.parametrize("run_as", ["script", "module"])
def test_a_job_does_not_import_again_what_the_main_script_imports(
    tmp_path: Path, run_as: str
) -> None:
    # multiprocessing runs the main script again in each child; what it imports is loaded once,
    # in the fork server, not once a job (for `policygov run`, 0.3 s of CPU a job).
    (tmp_path / "marker.py").write_text(
        "import os\nwith open(os.environ['MARKS'], 'a') as f:\n    f.write(f'{os.getpid()}\\n')\n"
    )
    (tmp_path / "main.py").write_text(SCRIPT)
    (tmp_path / "cli").mkdir()  # a package's module, as services.cli is
    (tmp_path / "cli" / "__init__.py").write_text("")
    (tmp_path / "cli" / "main.py").write_text(SCRIPT)
    marks = tmp_path / "marks"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "MARKS": str(marks), "PYTHONPATH": f"{tmp_path}:{root}"}
    # `python -m services.cli` as well as the `policygov` script: no warning in either.
    main = [str(tmp_path / "main.py")] if run_as == "script" else ["-m", "cli.main"]
    ran = subprocess.run([sys.executable, *main], env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert "Warning" not in ran.stderr, ran.stderr
    jobs = set(ran.stdout.split())
    importers = set(marks.read_text().split())
    assert len(jobs) == 3
    assert jobs.isdisjoint(importers)
    assert len(importers) == 2  # the script's own process and the fork server
