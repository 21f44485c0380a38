"""``policygov run``: the API and the notifier as two child processes, kept running.

A child that dies is started again after a capped, jittered back-off, with one line on
standard error; the other child is left alone (the API serves requests without the notifier,
and the notifier's outbox waits in PostgreSQL). Ctrl-C or SIGTERM stops both.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from redis.backoff import EqualJitterBackoff

# A child that ran this long before dying was healthy: its next restart starts the back-off over.
STABLE_SECONDS = 30.0


@dataclass
class Child:
    command: str
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "services.cli", self.command])
        self.started = time.monotonic()
        self.restart_at = None


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def supervise(commands: tuple[str, ...], backoff: EqualJitterBackoff | None = None) -> int:
    """Run ``policygov <command>`` for each command until SIGTERM or SIGINT; 0 on a clean stop."""
    backoff = backoff or EqualJitterBackoff(cap=30.0, base=0.5)
    children = [Child(command) for command in commands]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.start()
    while not stopping:
        now = time.monotonic()
        for child in children:
            if child.process is None:
                if child.restart_at is not None and now >= child.restart_at:
                    child.start()
                continue
            code = child.process.poll()
            if code is None or stopping:
                continue
            child.failures = 1 if now - child.started >= STABLE_SECONDS else child.failures + 1
            delay = backoff.compute(child.failures)
            print(
                f"policygov run: {child.command} {_describe(code)} after "
                f"{now - child.started:.0f} s; starting it again in {delay:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            child.process, child.restart_at = None, now + delay
        time.sleep(0.2)
    return _stop_all(children)


def _stop_all(children: list[Child]) -> int:
    running = [c.process for c in children if c.process is not None]
    for process in running:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = []
    for process in running:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Ended by a SIGTERM or SIGINT (ours, or Ctrl-C reaching the group) is a clean stop.
        code = process.returncode
        codes.append(0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else abs(code))
    return max(codes, default=0)
