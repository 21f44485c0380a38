"""Heavy work (text extraction, diffs, reading imports) in a child process, within bounds.

Parsing a hostile file or diffing a long text must neither stall the event loop (so `/healthz`
and every other request keep answering) nor leave the API process holding the memory it took.
Each job runs in a fresh process forked from a small pre-loaded server (multiprocessing's
"forkserver"): it is killed when it passes its time limit, it cannot allocate more than its memory
limit, and whatever it allocated goes back to the operating system when it exits. The caller's
event loop only waits on a thread.
"""

from __future__ import annotations

import ast
import asyncio
import multiprocessing
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from services.domain.errors import DomainError, Invalid, PayloadTooLarge

T = TypeVar("T")

# Loaded once in the fork server, so a job does not pay for importing them.
PRELOAD = [
    "services.domain.documents.text",
    "services.domain.documents.diff",
    "services.domain.imports.sheet",
    "docx",
    "openpyxl",
    "pypdf",
]


@dataclass(frozen=True)
class HeavyLimits:
    """Bounds on one heavy job; the defaults are the settings' defaults (see README, Limits)."""

    time_seconds: float = 30.0
    memory_bytes: int = 1024 * 1024 * 1024
    # Jobs one API process runs at once; more wait (up to time_seconds) for a free slot.
    concurrency: int = 2
    # A zip package (docx, xlsx): its members' total unpacked size, and unpacked / packed.
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_compression_ratio: int = 100


class TooBusy(DomainError):
    """Every slot for heavy work stayed taken: try again shortly."""

    status, title, slug = 503, "Service unavailable", "unavailable"


class TookTooLong(Invalid):
    """The input is within the size limits but needs more work than a request may take."""


def check_zip_package(
    members: list[tuple[int, int]], limits: HeavyLimits, what: str = "The file"
) -> None:
    """Refuse a zip bomb: ``members`` are (unpacked, packed) sizes of each member."""
    unpacked = sum(size for size, _ in members)
    packed = sum(size for _, size in members)
    if unpacked > limits.max_unpacked_bytes:
        raise PayloadTooLarge(
            f"{what} unpacks to {unpacked} bytes, more than the limit of "
            f"{limits.max_unpacked_bytes} bytes.",
            limit="max_unpacked_bytes",
        )
    if unpacked > 1024 * 1024 and unpacked > packed * limits.max_compression_ratio:
        raise PayloadTooLarge(
            f"{what} is compressed more than {limits.max_compression_ratio} to 1 "
            "(a zip bomb, not a document).",
            limit="max_compression_ratio",
        )


async def run_bounded(fn: Callable[..., T], *args: Any, limits: HeavyLimits) -> T:
    """``fn(*args)`` in a child process within ``limits``; a domain error it raises is raised
    here. Past the time limit the child is killed (422); out of memory it is a 413; with every
    slot taken for as long as the time limit, 503."""
    slots = _slots(limits.concurrency)
    waited_until = time.monotonic() + limits.time_seconds
    # Waiting for a slot holds no thread: the default thread pool is small and shared.
    while not slots.acquire(blocking=False):
        if time.monotonic() > waited_until:
            raise TooBusy("The server is busy reading other files; try again in a minute.")
        await asyncio.sleep(0.05)
    # Shielded, and the slot is released by the thread: a request cancelled (its client gone)
    # stops waiting, but its child keeps the slot until it is done or killed at the deadline.
    return await asyncio.shield(asyncio.to_thread(_run, fn, args, limits, slots))


@lru_cache
def _slots(concurrency: int) -> threading.BoundedSemaphore:
    # One semaphore per configured concurrency, shared by every event loop of the process:
    # it counts child processes, which are a resource of the process, not of a loop.
    return threading.BoundedSemaphore(concurrency)


@lru_cache
def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD + main_script_imports())
    return context


def main_script_imports() -> list[str]:
    """The modules the process's main script imports, for the fork server to load once.

    multiprocessing runs the parent's main script again in every child, as ``__mp_main__``: for
    ``policygov run`` (a console script: ``from services.cli import main``) that imported the whole
    service in each job, about 0.3 s of CPU before the job began. With those modules already loaded
    in the fork server, running the script again costs nothing. A main module run with ``-m`` is
    run again too (unless it is a package's ``__main__``): then what it imports is loaded, not
    the module itself, or runpy warns in every job that the module is already imported.
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    path = getattr(main, "__file__", None)
    if spec is not None:
        name = str(spec.name)
        if name == "__main__" or name.endswith(".__main__"):
            return []
        path = spec.origin
    if path is None:
        return []
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    modules: list[str] = []
    # Only the script's top level: code under `if __name__ == "__main__":` is not run again.
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return modules


def _run(
    fn: Callable[..., T],
    args: tuple[Any, ...],
    limits: HeavyLimits,
    slots: threading.BoundedSemaphore,
) -> T:
    try:
        return _run_child(fn, args, limits)
    finally:
        slots.release()


def _run_child(fn: Callable[..., T], args: tuple[Any, ...], limits: HeavyLimits) -> T:
    deadline = time.monotonic() + limits.time_seconds
    context = _context()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sending, fn, args, limits.memory_bytes), daemon=True
    )
    child.start()
    sending.close()
    try:
        if not receiving.poll(max(0.0, deadline - time.monotonic())):
            raise TookTooLong(
                f"The work took longer than the limit of {limits.time_seconds:g} seconds.",
                limit="heavy_time_limit_seconds",
            )
        try:
            outcome, payload = receiving.recv()
        except EOFError:
            outcome, payload = "died", None
    finally:
        receiving.close()
        child.kill()
        child.join()
    if outcome == "ok":
        return payload
    if outcome == "error":
        kind, detail, extra = payload
        raise kind(detail, **extra)
    if outcome in ("memory", "died"):
        raise PayloadTooLarge(
            f"The work needs more memory than the limit of {limits.memory_bytes} bytes.",
            limit="heavy_memory_bytes",
        )
    raise RuntimeError(f"Heavy work failed: {payload}")


def _child(sending: Connection, fn: Callable[..., Any], args: tuple[Any, ...], memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        message: tuple[str, Any] = ("ok", fn(*args))
    except DomainError as error:
        message = ("error", (type(error), error.detail, error.extra))
    except MemoryError:
        message = ("memory", None)
    except Exception as error:  # a bug: reported to the parent, which raises it (a 500)
        message = ("bug", repr(error))
    try:
        sending.send(message)
    except MemoryError:
        sending.send(("memory", None))
    sending.close()
