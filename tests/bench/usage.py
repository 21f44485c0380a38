"""Who used what during a measured window: CPU from /proc, new connections from
pg_stat_database. Shows whether a server was CPU-bound and whether its connection pool churned."""

from __future__ import annotations

import asyncio
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

TICKS = os.sysconf("SC_CLK_TCK")
# Backends report their counters to pg_stat_database at most once a second when idle.
STATS_DELAY = 1.2


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def process_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0  # utime + stime


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (a server's worker processes, their helpers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sorted(tree)


def tree_seconds(pids: list[int]) -> float:
    return sum(process_seconds(pid) for pid in pids)


@dataclass
class PostgresTimes:
    own: dict[int, float]  # utime + stime of each live PostgreSQL process
    reaped: float  # cutime + cstime: backends that exited, counted by the postmaster


def postgres_times() -> PostgresTimes:
    own, reaped = {}, 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        fields = _stat_fields(int(entry.name))
        if fields:
            own[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
            reaped += (int(fields[13]) + int(fields[14])) / TICKS
    return PostgresTimes(own, reaped)


def postgres_seconds_between(start: PostgresTimes, stop: PostgresTimes) -> float:
    """CPU PostgreSQL used in the window, including backends that started or exited in it."""
    live = sum(s - start.own.get(pid, 0.0) for pid, s in stop.own.items())
    # An exited backend's whole life reaches the postmaster's count: remove what preceded us.
    before = sum(s for pid, s in start.own.items() if pid not in stop.own)
    return live + (stop.reaped - start.reaped) - before


def own_and_children_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def sessions_so_far(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            )
        )
    finally:
        await conn.close()


async def wait_until_idle(dsn: str) -> None:
    """Wait (up to 2 minutes) for queries left running by a load generator that stopped."""
    conn = await asyncpg.connect(dsn)
    try:
        async with asyncio.timeout(120):
            while True:
                active = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'active' AND pid <> pg_backend_pid()"
                )
                if not active:
                    break
                await asyncio.sleep(0.1)
    except TimeoutError:
        print("  (the database was still busy after 2 minutes; measuring anyway)")
    finally:
        await conn.close()


@dataclass
class Usage:
    server_cpu: float  # per cent of one core
    postgres_cpu: float
    client_cpu: float
    new_connections: int  # database sessions opened in the window


class Meter:
    """What the server, PostgreSQL and the load generator used between start() and stop()."""

    def __init__(self, server_pid: int, dsn: str) -> None:
        self.server_pid = server_pid
        self.dsn = dsn

    def start(self) -> None:
        asyncio.run(wait_until_idle(self.dsn))
        time.sleep(STATS_DELAY)  # let earlier connection counts reach pg_stat_database
        self.sessions = asyncio.run(sessions_so_far(self.dsn))
        # The server's worker processes too: they are there before the window and stay.
        self.server_pids = process_tree(self.server_pid)
        self.wall = time.perf_counter()
        self.server = tree_seconds(self.server_pids)
        self.postgres = postgres_times()
        self.client = own_and_children_seconds()

    def stop(self) -> Usage:
        wall = time.perf_counter() - self.wall
        server = tree_seconds(self.server_pids) - self.server
        client = own_and_children_seconds() - self.client
        postgres = postgres_seconds_between(self.postgres, postgres_times())
        time.sleep(STATS_DELAY)
        # Less one: the connection that reads the count is a session too.
        sessions = asyncio.run(sessions_so_far(self.dsn)) - self.sessions - 1
        return Usage(
            server_cpu=100 * server / wall,
            postgres_cpu=100 * postgres / wall,
            client_cpu=100 * client / wall,
            new_connections=sessions,
        )
