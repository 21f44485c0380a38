"""Metrics, as Prometheus scrapes them: the real API (`policygov serve`, two processes) and the
real notifier (`policygov worker`), each on a metrics port of its own, and the dashboard in
deploy/grafana/ reading only what they expose."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from services.domain.settings import Settings
from tests.factories import World, document_body
from tests.notifier.smtp_sink import free_port
from tests.test_cli import policygov_started, service_env

DASHBOARD = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "policygov.json"


def samples(text: str) -> list[Sample]:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(found: list[Sample], name: str, **labels: str) -> float:
    """The one sample of ``name`` with exactly these labels (with ``le`` for a bucket)."""
    [match] = [s for s in found if s.name == name and s.labels == labels]
    return match.value


async def scrape(port: int) -> list[Sample]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"http://127.0.0.1:{port}/metrics")
    assert response.status_code == 200
    return samples(response.text)


async def scrape_until(port: int, ready: object, seconds: float = 30) -> list[Sample]:
    """Scrape until ``ready(samples)`` holds (a worker still starting, a sweep not yet run)."""
    found: list[Sample] = []
    for _ in range(int(seconds / 0.2)):
        found = await scrape(port)
        if ready(found):  # type: ignore[operator]
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not ready after {seconds} s: {[s for s in found][:40]}")


@contextlib.asynccontextmanager
async def api_serving(
    settings: Settings, tmp_path: Path, workers: int
) -> AsyncIterator[tuple[int, int]]:
    """`policygov serve` with its metrics port, every worker up: (API port, metrics port)."""
    metrics_port = free_port()
    started = policygov_started(
        settings,
        tmp_path,
        "serve",
        "--workers",
        str(workers),
        POLICYGOV_API_METRICS_PORT=str(metrics_port),
    )
    async with started as (_, port):
        # Each worker adds its pool (db_pool_size connections) once it has started.
        await scrape_until(
            metrics_port,
            lambda found: value(found, "policygov_db_pool_size") == workers * settings.db_pool_size,
        )
        yield port, metrics_port


@pytest.fixture
async def api(settings: Settings, tmp_path: Path) -> AsyncIterator[tuple[int, int]]:
    async with api_serving(settings, tmp_path, 2) as ports:
        yield ports


# One worker: uvicorn runs the app in serve's own process, beside the metrics server.
@pytest.mark.parametrize("workers", [1, 2])
async def test_the_api_counts_each_request_under_its_route_template_and_status_over_all_workers(
    world: World, settings: Settings, tmp_path: Path, workers: int
) -> None:
    async with api_serving(settings, tmp_path, workers) as (port, metrics_port):
        await _count_requests(world, settings, port, metrics_port, workers)


async def _count_requests(
    world: World, settings: Settings, port: int, metrics_port: int, workers: int
) -> None:
    missing = [str(uuid.uuid4()) for _ in range(12)]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for document_id in missing:
            answer = await http.get(f"/v1/documents/{document_id}", headers=world.a.reader.headers)
            assert answer.status_code == 404
        for _ in range(3):
            assert (await http.get("/v1/documents", headers=world.a.reader.headers)).is_success
        assert (await http.get("/no/such/path/" + missing[0])).status_code == 404
        # Metrics are on their own port only.
        assert (await http.get("/metrics")).status_code == 404
    found = await scrape(metrics_port)
    one = "/v1/documents/{document_id}"
    # Twelve, from whichever worker answered each: one scrape sums every process.
    missed = {"method": "GET", "route": one, "status": "404"}
    assert value(found, "policygov_http_requests_total", **missed) == 12
    many = {"method": "GET", "route": "/v1/documents", "status": "200"}
    assert value(found, "policygov_http_requests_total", **many) == 3
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(found, "policygov_http_requests_total", **unmatched) == 2
    duration = "policygov_http_request_duration_seconds"
    assert value(found, f"{duration}_count", method="GET", route=one) == 12
    assert 0 < value(found, f"{duration}_sum", method="GET", route=one) < 12 * 10
    assert value(found, f"{duration}_bucket", method="GET", route=one, le="+Inf") == 12
    # No path itself in any label: ids would make a series each.
    assert not [s for s in found if any(i in str(s.labels) for i in missing)]
    assert value(found, "policygov_http_requests_in_flight") == 0
    checked_out = value(found, "policygov_db_pool_checked_out")
    assert 0 <= checked_out <= workers * (settings.db_pool_size + settings.db_max_overflow)
    assert value(found, "policygov_db_pool_max_overflow") == workers * settings.db_max_overflow


def uvicorn_workers(pid: int) -> list[int]:
    """The worker processes of a `policygov serve` (multiprocessing's, not its helpers)."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    assert found
    return found


async def test_a_worker_that_dies_keeps_its_counts_and_loses_its_gauges(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    # A directory the operator names is used, and emptied of a run before's values at start.
    files = tmp_path / "multiproc"
    files.mkdir()
    (files / "counter_1.db").write_bytes(b"a run before")
    metrics_port = free_port()
    started = policygov_started(
        settings,
        tmp_path,
        "serve",
        "--workers",
        "2",
        POLICYGOV_API_METRICS_PORT=str(metrics_port),
        PROMETHEUS_MULTIPROC_DIR=str(files),
    )
    async with started as (process, port):
        await scrape_until(
            metrics_port,
            lambda found: value(found, "policygov_db_pool_size") == 2 * settings.db_pool_size,
        )
        assert not (files / "counter_1.db").exists()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for _ in range(10):
                assert (await http.get("/v1/documents", headers=world.a.reader.headers)).is_success
        counted = {"method": "GET", "route": "/v1/documents", "status": "200"}
        assert value(await scrape(metrics_port), "policygov_http_requests_total", **counted) == 10
        # A worker that answered some of them.
        [dead, *_] = [
            pid for pid in uvicorn_workers(process.pid) if (files / f"counter_{pid}.db").exists()
        ]
        assert (files / f"gauge_livesum_{dead}.db").exists()
        os.kill(dead, signal.SIGKILL)
        for _ in range(100):  # until uvicorn has seen it die (and started another)
            if not Path(f"/proc/{dead}").exists():
                break
            await asyncio.sleep(0.1)
        found = await scrape(metrics_port)
        # Its requests stay counted; its pool no longer counts as the API's.
        assert value(found, "policygov_http_requests_total", **counted) == 10
        assert not (files / f"gauge_livesum_{dead}.db").exists()
        assert (files / f"counter_{dead}.db").exists()


@contextlib.asynccontextmanager
async def notifier(settings: Settings, tmp_path: Path) -> AsyncIterator[int]:
    """`policygov worker` with its metrics port, once that port answers: the port."""
    metrics_port = free_port()
    env = service_env(
        settings,
        tmp_path,
        free_port(),
        POLICYGOV_NOTIFIER_METRICS_PORT=str(metrics_port),
        POLICYGOV_NOTIFIER_HEALTH_SECONDS="0.5",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker"],
        env=env,
        stdout=(tmp_path / "worker.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
                    break
                assert process.poll() is None, (tmp_path / "worker.log").read_text()
                await asyncio.sleep(0.1)
        yield metrics_port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def sent_and_swept(found: list[Sample]) -> bool:
    return (
        value(found, "policygov_notifier_sends_total", kind="email", result="sent") >= 1
        and value(found, "policygov_notifier_sweep_duration_seconds_count", sweep="meetings") >= 1
        and value(found, "policygov_notifier_backlog_sampled_timestamp_seconds") > 0
    )


async def test_the_notifier_exposes_its_backlog_sends_and_sweeps(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    # An email waiting: the document's owner is told of their new document.
    created = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(world.a.approver.person_id)),
        headers=world.a.policy_officer.headers,
    )
    assert created.status_code == 201
    async with notifier(settings, tmp_path) as metrics_port:
        found = await scrape_until(metrics_port, sent_and_swept)
    assert value(found, "policygov_notifier_sends_total", kind="email", result="sent") == 1
    assert value(found, "policygov_notifier_sends_total", kind="email", result="failed") == 0
    assert value(found, "policygov_notifier_retries_total", kind="email") == 0
    assert value(found, "policygov_notifier_relay_lag_seconds_count") >= 1
    for sweep in (
        "reviews",
        "consultations",
        "update_cycles",
        "dis_applications",
        "launch",
        "requeue",
        "meetings",
    ):
        assert value(found, "policygov_notifier_sweep_duration_seconds_count", sweep=sweep) >= 1
        assert value(found, "policygov_notifier_sweep_failures_total", sweep=sweep) == 0
    for state in ("ready", "deferred"):
        assert value(found, "policygov_notifier_queue_jobs", state=state) >= 0
    for kind in ("email", "webhook"):
        assert value(found, "policygov_notifier_oldest_pending_seconds", kind=kind) >= 0
    assert value(found, "policygov_notifier_outbox_oldest_unpublished_seconds") >= 0


def dashboard_queries() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_the_dashboard_asks_its_prometheus_data_source_for_every_panel() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    [variable] = dashboard["templating"]["list"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    graphs = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len(graphs) >= 15
    for panel in graphs:
        assert panel["datasource"]["uid"] == "${" + variable["name"] + "}", panel["title"]
        assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))


async def test_every_metric_the_dashboard_shows_is_one_the_processes_expose(
    world: World, api: tuple[int, int], settings: Settings, tmp_path: Path
) -> None:
    port, api_metrics = api
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/v1/documents", headers=world.a.reader.headers)).is_success
    exposed = {s.name for s in await scrape(api_metrics)}
    async with notifier(settings, tmp_path) as notifier_metrics:
        found = await scrape_until(
            notifier_metrics,
            lambda found: value(found, "policygov_notifier_backlog_sampled_timestamp_seconds") > 0,
        )
    exposed |= {s.name for s in found}
    asked = {name for q in dashboard_queries() for name in re.findall(r"policygov_\w+", q)}
    assert asked - exposed == set()
    # And the dashboard shows every family: none exposed and left off it.
    families = {re.sub(r"_(total|bucket|count|sum|created)$", "", name) for name in exposed}
    shown = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in asked}
    assert {f for f in families if f.startswith("policygov_")} - shown == set()


async def test_run_serves_both_processes_metrics_and_says_where(
    settings: Settings, tmp_path: Path
) -> None:
    api_metrics, notifier_metrics = free_port(), free_port()
    started = policygov_started(
        settings,
        tmp_path,
        "run",
        POLICYGOV_API_METRICS_PORT=str(api_metrics),
        POLICYGOV_NOTIFIER_METRICS_PORT=str(notifier_metrics),
    )
    async with started:
        await scrape_until(api_metrics, lambda found: value(found, "policygov_db_pool_size") > 0)
        await scrape_until(
            notifier_metrics,
            lambda found: value(found, "policygov_notifier_backlog_sampled_timestamp_seconds") > 0,
        )
    said = (tmp_path / "run.log").read_text()
    assert (
        f"policygov run: metrics at API http://127.0.0.1:{api_metrics}/metrics, "
        f"notifier http://127.0.0.1:{notifier_metrics}/metrics"
    ) in said


def test_run_takes_the_default_metrics_ports_unless_set_and_leaves_off_one_that_is_taken(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from services.domain.settings import get_settings
    from services.ops import processes

    defaults = {
        "POLICYGOV_API_METRICS_PORT": free_port(),
        "POLICYGOV_NOTIFIER_METRICS_PORT": free_port(),
    }
    monkeypatch.setattr(processes, "DEFAULT_METRICS_PORTS", defaults)
    for name in defaults:
        monkeypatch.setenv(name, "")  # recorded, so that the test's end puts it back as it was
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", defaults["POLICYGOV_NOTIFIER_METRICS_PORT"]))
        taken.listen()
        processes._metrics_on_by_default()
    get_settings.cache_clear()
    api = defaults["POLICYGOV_API_METRICS_PORT"]
    assert os.environ["POLICYGOV_API_METRICS_PORT"] == str(api)
    assert "POLICYGOV_NOTIFIER_METRICS_PORT" not in os.environ
    said = capsys.readouterr().err.splitlines()
    taken_port = defaults["POLICYGOV_NOTIFIER_METRICS_PORT"]
    assert said == [
        f"policygov run: port {taken_port} is taken; notifier metrics off "
        "(set POLICYGOV_NOTIFIER_METRICS_PORT)",
        f"policygov run: metrics at API http://127.0.0.1:{api}/metrics",
    ]


@pytest.mark.parametrize(
    ("command", "setting"),
    [("serve", "POLICYGOV_API_METRICS_PORT"), ("worker", "POLICYGOV_NOTIFIER_METRICS_PORT")],
)
def test_a_metrics_port_another_process_holds_is_refused_in_one_line(
    settings: Settings, tmp_path: Path, command: str, setting: str
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "services.cli", command],
            env=service_env(settings, tmp_path, free_port(), **{setting: str(port)}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"policygov {command}: cannot serve metrics on 127.0.0.1:{port}: "), line


def test_serve_removes_the_metrics_files_of_runs_that_were_killed_and_keeps_the_living(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    from services.api.metrics_server import prepare_multiprocess_dir, remove_multiprocess_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # put back as it was at the end
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    gone = subprocess.Popen(["true"])
    gone.wait()
    killed = tmp_path / f"policygov-metrics-{gone.pid}-abc"
    living = tmp_path / f"policygov-metrics-{os.getppid()}-def"
    for path in (killed, living):
        path.mkdir()
        (path / "counter_1.db").write_bytes(b"")
    made = prepare_multiprocess_dir()
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(made)
    assert made.parent == tmp_path and made.name.startswith(f"policygov-metrics-{os.getpid()}-")
    assert not killed.exists()
    assert living.exists()
    remove_multiprocess_dir(made)
    assert not made.exists()
