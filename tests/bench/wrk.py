"""wrk (Debian package `wrk`) as the load generator: C, epoll, a few % of a core at these rates.

A Lua script picks a random path per request from a file, adds the bearer key, counts non-2xx
responses (keeping the first body) and prints one machine-readable line at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.bench.loadgen import Result

SCRIPT = r"""
-- Written by tests/bench/wrk.py. Globals, so done() can read them from each thread.
paths, non2xx, statuses, sample = {}, 0, {}, nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(tonumber(args[2]))
  if args[3] ~= nil and args[3] ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. args[3]
  end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
    if sample == nil then sample = body end
  end
end

function done(summary, latency, requests)
  local n, codes, first = 0, {}, nil
  for _, thread in ipairs(threads) do
    n = n + thread:get("non2xx")
    for code, count in pairs(thread:get("statuses")) do
      codes[#codes + 1] = code .. ":" .. count
    end
    first = first or thread:get("sample")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d mean_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d non2xx=%d codes=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    math.floor(latency.mean), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    n, table.concat(codes, ",")))
  if first ~= nil and os.getenv("BENCH_WRK_SAMPLE") then
    local f = io.open(os.getenv("BENCH_WRK_SAMPLE"), "w")
    f:write(first)
    f:close()
  end
end
"""


def ensure_wrk(install: bool) -> str | None:
    """The wrk binary; installed from Debian when missing and we are root, else None."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("  wrk is not installed and cannot be installed here (needs root and apt-get)")
        return None
    print("  installing wrk from Debian (apt-get install -y wrk) ...", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"]
    if subprocess.run(command, env=env, check=False, **quiet).returncode != 0:  # type: ignore[call-overload]
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False, **quiet)  # type: ignore[call-overload]
        subprocess.run(command, env=env, check=False, **quiet)  # type: ignore[call-overload]
    found = shutil.which("wrk")
    if not found:
        print("  apt-get could not install wrk")
    return found


def run(
    wrk: str,
    work_dir: Path,
    base_url: str,
    paths_file: Path,
    token: str,
    connections: int,
    duration: float,
    timeout: float = 30,
) -> Result:
    script = work_dir / "bench.lua"
    script.write_text(SCRIPT)
    sample_file = work_dir / "wrk-error-sample.txt"
    sample_file.unlink(missing_ok=True)
    # One wrk thread drives all connections: it needs a fraction of a core at these rates.
    argv = [
        wrk, "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
        f"--timeout={round(timeout)}s", "-s", str(script), base_url,
        "--", str(paths_file), "1", token,
    ]  # fmt: skip
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_WRK_SAMPLE": str(sample_file)},
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    fields = dict(part.split("=", 1) for part in line.split()[1:])
    result = Result(
        requests=int(fields["requests"]),
        seconds=int(fields["duration_us"]) / 1e6,
        p50_ms=int(fields["p50_us"]) / 1000,
        p99_ms=int(fields["p99_us"]) / 1000,
        mean_ms=int(fields["mean_us"]) / 1000,
        max_ms=int(fields["max_us"]) / 1000,
    )
    for code_count in filter(None, fields["codes"].split(",")):
        code, count = code_count.split(":")
        result.non_2xx[int(code)] += int(count)
    for kind in ("connect", "read", "write", "timeout"):
        if int(fields[kind]):
            result.socket_errors[kind] = int(fields[kind])
    if sample_file.exists():
        result.error_sample = sample_file.read_text(errors="replace")[:500]
    return result


def version(wrk: str) -> str:
    """wrk's version, e.g. 4.1.0 (it prints its banner to stdout with -v)."""
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    words = (done.stdout + done.stderr).split()
    return words[1] if len(words) > 1 and words[0] == "wrk" else "(unknown version)"
