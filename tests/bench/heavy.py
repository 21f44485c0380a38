"""Heavy requests against a live API: how long each takes, the longest /healthz wait meanwhile,
and the API's RSS before and after (issue 14, item 3).

    python -m tests.bench.heavy CODE_DIR PORT DATABASE_URL REDIS_URL

CODE_DIR is a checkout of the service (run it on an old one to compare); the database is
migrated and given an organisation of its own.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from openpyxl import Workbook

from tests.api.test_heavy_requests import DOCX, docx_bomb

PYTHON = sys.executable


def main(code: str, port: int, database_url: str, redis_url: str) -> None:
    env = {
        **os.environ,
        "POLICYGOV_DATABASE_URL": database_url,
        "POLICYGOV_REDIS_URL": redis_url,
        "POLICYGOV_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "PYTHONPATH": code,
    }

    def cli(*args: str) -> str:
        run = [PYTHON, "-m", "services.cli", *args]
        return subprocess.run(run, cwd=code, env=env, capture_output=True, text=True).stdout

    slug = f"bench{int(time.time())}"
    cli("migrate")
    cli("create-org", "--slug", slug, "--name", "Bench")
    key = cli("create-api-key", "--org", slug, "--role", "admin").strip().splitlines()[-1]
    factory = ["uvicorn", "--factory", "services.api.app:create_app", "--port", str(port)]
    server = subprocess.Popen([PYTHON, "-m", *factory, "--log-level", "warning"], cwd=code, env=env)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=600)
    try:
        _wait_for(base)
        _run(client, base, server.pid)
    finally:
        server.terminate()
        server.wait()


def _wait_for(base: str) -> None:
    for _ in range(100):
        try:
            httpx.get(base + "/healthz")
            return
        except httpx.HTTPError:
            time.sleep(0.2)


def _rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def _while_healthz(base: str, request: Callable[[], httpx.Response]) -> tuple[Any, float, float]:
    """The response, how long it took, and the longest /healthz answer meanwhile."""
    out: dict[str, httpx.Response] = {}
    thread = threading.Thread(target=lambda: out.setdefault("response", request()))
    started = time.perf_counter()
    thread.start()
    worst = 0.0
    while thread.is_alive():
        asked = time.perf_counter()
        httpx.get(base + "/healthz", timeout=600)
        worst = max(worst, time.perf_counter() - asked)
        time.sleep(0.05)
    thread.join()
    return out["response"], time.perf_counter() - started, worst


def _run(client: httpx.Client, base: str, pid: int) -> None:
    body = {"reference": "BENCH-1", "title": "Bench", "kind": "policy"}
    doc = client.post("/v1/documents", json=body).json()["id"]
    versions = f"/v1/documents/{doc}/versions"

    def upload(name: str, content: bytes, media_type: str) -> httpx.Response:
        files = {"file": (name, content, media_type)}
        return client.post(versions, files=files, data={"change_summary": "bench"})

    print("RSS at start MB", _rss_mb(pid))
    same = b"Same paragraph\n" * 20_000  # 300 KB, 20,000 equal paragraphs
    upload("a.txt", same, "text/plain")
    upload("b.txt", same.replace(b"Same", b"Other", 1), "text/plain")
    response, took, worst = _while_healthz(base, lambda: client.get(f"{versions}/0.1/diff/0.2"))
    print(
        f"diff of 20,000 equal paragraphs: {response.status_code} in {took:.1f} s; "
        f"/healthz worst {worst:.2f} s"
    )

    bomb = docx_bomb(100_000_000)
    before = _rss_mb(pid)
    response, took, worst = _while_healthz(base, lambda: upload("bomb.docx", bomb, DOCX))
    time.sleep(1)
    print(
        f"docx of {len(bomb) // 1024} KB unpacking to 100 MB: {response.status_code} in "
        f"{took:.1f} s; /healthz worst {worst:.2f} s; RSS {before} -> {_rss_mb(pid)} MB"
    )

    big = b"A paragraph of a long policy, repeated to make a large upload.\n" * (393_216)
    before = _rss_mb(pid)
    for _ in range(3):
        response = upload("big.txt", big, "text/plain")
    time.sleep(1)
    print(
        f"3 uploads of {len(big) // 2**20} MB text: {response.status_code}; "
        f"RSS {before} -> {_rss_mb(pid)} MB"
    )

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Reference", "Title", "Kind"])
    for n in range(100_000):
        sheet.append([f"R-{n:06d}", f"Policy {n}", "policy"])
    buffer = io.BytesIO()
    book.save(buffer)
    files = {"file": ("tracker.xlsx", buffer.getvalue(), "application/octet-stream")}
    before = _rss_mb(pid)
    response, took, worst = _while_healthz(
        base, lambda: client.post("/v1/imports", params={"dry_run": "true"}, files=files)
    )
    print(
        f"XLSX of 100,000 rows, dry run: {response.status_code} in {took:.1f} s; "
        f"/healthz worst {worst:.2f} s; RSS {before} -> {_rss_mb(pid)} MB"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
