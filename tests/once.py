"""Work done once per test run, however many pytest-xdist workers ask for it.

Generating a client from the spec (and compiling the TypeScript one) takes seconds and writes to
one place; each worker that runs one of those tests needs the result. The first worker to ask does
the work under a file lock shared by the workers of the run, and writes its result beside the
lock; the others wait on the lock, then read that result.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run sees: the parent of the workers' own base folders."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base
    return shared


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    produce: Callable[[Path], T],
    load: Callable[[dict[str, Any]], T],
) -> T:
    """``produce(folder)`` in the first worker that asks (a dataclass of plain fields); the
    others get ``load`` of what it returned."""
    shared = shared_dir(tmp_path_factory)
    done = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if done.exists():
                return load(json.loads(done.read_text()))
            folder = shared / name
            folder.mkdir(exist_ok=True)
            result = produce(folder)
            done.write_text(json.dumps(asdict(result), default=str))  # type: ignore[call-overload]
            return result
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
