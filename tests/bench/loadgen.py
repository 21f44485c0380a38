"""A small asyncio HTTP/1.1 load generator: the fallback when wrk is not installed.

Each of N keep-alive connections sends a GET, reads the whole response, and sends the next one
(closed loop, like wrk). Latency is measured per request from write to last byte; requests that
start during the warm-up are not counted. It costs far more CPU per request than wrk, which
matters on a 2-core machine: prefer wrk.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Result:
    requests: int  # completed responses, whatever their status
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    non_2xx: Counter[int] = field(default_factory=Counter)
    socket_errors: Counter[str] = field(default_factory=Counter)
    error_sample: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(self.non_2xx.values()) + sum(self.socket_errors.values())


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    if b"transfer-encoding: chunked" in lower:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        return status, b"".join(chunks)
    start = lower.find(b"content-length:")
    if start < 0:
        return status, await reader.read()
    end = lower.find(b"\r\n", start)
    length = int(lower[start + 15 : end])
    return status, await reader.readexactly(length)


async def _connection(
    host: str,
    port: int,
    requests: list[bytes],
    measure_from: float,
    stop_at: float,
    latencies: list[float],
    result: Result,
    seed: int,
) -> None:
    rng = random.Random(seed)
    reader = writer = None
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            request = requests[rng.randrange(len(requests))]
            started = time.perf_counter()
            writer.write(request)
            status, body = await asyncio.wait_for(_read_response(reader), 30)
            finished = time.perf_counter()
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            if time.perf_counter() >= measure_from:
                result.socket_errors[type(exc).__name__] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        if started < measure_from or finished > stop_at:
            continue
        latencies.append(finished - started)
        if not 200 <= status < 300:
            result.non_2xx[status] += 1
            if result.error_sample is None:
                result.error_sample = body[:500].decode(errors="replace")
    if writer is not None:
        writer.close()


async def run(
    host: str,
    port: int,
    paths: list[str],
    headers: dict[str, str],
    connections: int,
    duration: float,
    warmup: float,
) -> Result:
    """``connections`` keep-alive connections for ``warmup + duration`` seconds."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode() for path in paths
    ]
    latencies: list[float] = []
    result = Result(0, duration, 0, 0, 0, 0)
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + duration
    await asyncio.gather(
        *(
            _connection(host, port, requests, measure_from, stop_at, latencies, result, seed)
            for seed in range(connections)
        )
    )
    latencies.sort()
    result.requests = len(latencies)
    result.p50_ms = percentile(latencies, 50) * 1000
    result.p99_ms = percentile(latencies, 99) * 1000
    result.mean_ms = sum(latencies) / len(latencies) * 1000 if latencies else 0.0
    result.max_ms = latencies[-1] * 1000 if latencies else 0.0
    return result


def run_blocking(*args: object, **kwargs: object) -> Result:
    """Run in a fresh event loop, on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop

        return uvloop.run(run(*args, **kwargs))  # type: ignore[arg-type]
    except ImportError:
        return asyncio.run(run(*args, **kwargs))  # type: ignore[arg-type]
