"""Serving the API's metrics: one HTTP server, in `policygov serve`'s own process, that reads the
multiprocess files every API worker writes (services/api/metrics.py).

uvicorn's workers are separate processes and cannot share one port for a scrape: each would
answer for itself, a different one each time. prometheus-client's multiprocess mode has each
write its values to files named by its pid in one directory; the server sums them. Counters of
a worker that died stay counted (uvicorn starts another); its gauges (requests in flight, pool
connections) go, at the next scrape.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from threading import Thread
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIServer

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

# prometheus_client is imported in the functions below, not here: it chooses between values in
# memory and values in files when first imported, so only once PROMETHEUS_MULTIPROC_DIR is set
# (with one worker, uvicorn runs the app in this very process).

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+_(\d+)\.db$")


# This run's own directory: policygov-metrics-<pid of serve>-<random>, in the temporary
# directory.
_PREFIX = "policygov-metrics-"
_OWN_DIR = re.compile(rf"^{_PREFIX}(\d+)-")


def prepare_multiprocess_dir() -> Path:
    """The directory the workers write their values to, empty, in the environment they
    inherit: ``PROMETHEUS_MULTIPROC_DIR`` if the operator set it (its files from a run before
    are removed), else a new temporary directory for this run. Before prometheus_client is
    imported anywhere in a worker: it chooses its file-backed values at import."""
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return path
    _remove_abandoned()
    path = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
    os.environ[MULTIPROC_DIR] = str(path)
    return path


def _remove_abandoned() -> None:
    """The directories of runs that ended without removing theirs (killed, or the machine
    stopped): their serve process no longer exists."""
    for path in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        owner = _OWN_DIR.match(path.name)
        if owner and not _is_alive(int(owner.group(1))):
            shutil.rmtree(path, ignore_errors=True)


def remove_multiprocess_dir(path: Path) -> None:
    """The temporary directory ``prepare_multiprocess_dir`` made, once the workers are gone."""
    if _OWN_DIR.match(path.name) and path.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(path, ignore_errors=True)


class _LiveWorkers:
    """prometheus-client's multiprocess collector, after forgetting the live gauges of worker
    processes that no longer exist (a worker killed in a request would count in flight for
    ever otherwise)."""

    def __init__(self, path: Path) -> None:
        from prometheus_client import multiprocess

        self.path = path
        self.files = multiprocess.MultiProcessCollector(None, path=str(path))

    def collect(self) -> Iterable[Metric]:
        from prometheus_client import multiprocess

        for file in self.path.iterdir():
            found = _LIVE_GAUGE_FILE.match(file.name)
            if found and not _is_alive(int(found.group(1))):
                multiprocess.mark_process_dead(int(found.group(1)), str(self.path))
        return self.files.collect()


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process under a reused pid
        return True
    return True


def serve_metrics(host: str, port: int, path: Path) -> tuple[WSGIServer, Thread]:
    """Serve every worker's metrics at ``http://host:port/metrics``, from a thread of this
    process; OSError when the port is taken."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry()
    registry.register(_LiveWorkers(path))
    return start_http_server(port, addr=host, registry=registry)
