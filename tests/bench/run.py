"""`make bench`: the API under load on a 100,000-document register, against a bare floor;
then the notifier: emails per second through SMTP, and the relay's commit-to-enqueue latency.

    python -m tests.bench.run [--quick] [--duration S] [--warmup S] [--connections N]
                              [--client auto|wrk|python] [--documents N] [--regenerate]
                              [--only NAME] [--no-explain]
                              [--notifier-emails N] [--notifier-rate R] [--notifier-seconds S]

Every flag has an environment variable for `make bench`: BENCH_QUICK=1, BENCH_DURATION,
BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_CLIENT, BENCH_DOCUMENTS, BENCH_REGENERATE=1, BENCH_ONLY,
BENCH_EXPLAIN=0, BENCH_NOTIFIER_EMAILS, BENCH_NOTIFIER_RATE, BENCH_NOTIFIER_SECONDS, and
BENCH_DATABASE_URL (default: policygov_bench on the local server). The notifier part uses its
own database (BENCH_NOTIFIER_DATABASE_URL, default policygov_bench_notifier, rebuilt each run)
and Redis db (BENCH_NOTIFIER_REDIS_URL, default db 11, flushed); BENCH_ONLY=notifier runs it
alone. Results go to var/bench/results.json; plans of the list and search SQL to
var/bench/plans.txt; the notifier worker's log to var/bench/notifier-worker.log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
from sqlalchemy import select

from services.cli import migrate
from services.domain.documents.review_dates import ReviewRules
from services.domain.documents.search import DocumentFilters
from services.domain.models.documents import DocumentStatus
from services.domain.models.people import Person, PersonRole
from services.domain.settings import Settings
from services.domain.tracker import service as tracker
from tests.bench import (
    dataset,
    explain,
    goals,
    loadgen,
    moving_in,
    notifier,
    notifier_report,
    scale,
    wrk,
)
from tests.bench.servers import Server, get, start_uvicorn
from tests.bench.usage import Meter, Usage, process_tree

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench"
AREA = "Fostering"
# A query nearly every document matches, one a topic's documents match, one few documents match.
SEARCHES = {"common": "care plan", "topic": "medication error", "rare": "cuckooing"}
# The keys of count_matches(), so that scenario names can be listed before any data exists.
_COUNT_KEYS = (
    "documents",
    "published procedures",
    "overdue in area",
    *(f"search {k}" for k in SEARCHES),
    "tracked",
    "tracked overdue",
    "tracked due soon in area",
)


@dataclass
class Scenario:
    name: str
    server: str  # "api", "made" (the API keeping no pages) or "reference"
    paths: list[str]
    note: str = ""


@dataclass
class Outcome:
    scenario: Scenario
    result: loadgen.Result
    usage: Usage


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    flag = p.add_argument
    flag(
        "--quick",
        action="store_true",
        default=_env("BENCH_QUICK", "0") == "1",
        help="3 s per scenario after a 1 s warm-up (unless --duration/--warmup say otherwise)",
    )
    flag(
        "--duration",
        type=float,
        default=os.environ.get("BENCH_DURATION"),
        help="measured seconds per scenario (default 15)",
    )
    flag(
        "--warmup",
        type=float,
        default=os.environ.get("BENCH_WARMUP"),
        help="warm-up seconds per scenario (default 3)",
    )
    flag("--connections", type=int, default=int(_env("BENCH_CONNECTIONS", "32")))
    flag(
        "--client",
        choices=("auto", "wrk", "python"),
        default=_env("BENCH_CLIENT", "auto"),
        help="auto: wrk, installed from Debian if missing, else the Python client",
    )
    flag("--documents", type=int, default=int(_env("BENCH_DOCUMENTS", "100000")))
    flag("--regenerate", action="store_true", default=_env("BENCH_REGENERATE", "0") == "1")
    flag(
        "--only",
        default=os.environ.get("BENCH_ONLY"),
        help="run only the scenarios whose name contains this",
    )
    flag(
        "--no-explain",
        dest="explain",
        action="store_false",
        default=_env("BENCH_EXPLAIN", "1") == "1",
    )
    flag("--seed", type=int, default=int(_env("BENCH_SEED", "20240601")))
    flag(
        "--scale",
        action="store_true",
        default=_env("BENCH_SCALE", "0") == "1",
        help="also the scale part: 1,000,000 documents across 500 organisations "
        "(tests/bench/scale.py; generated once, about twenty minutes)",
    )
    flag(
        "--notifier-emails",
        type=int,
        default=os.environ.get("BENCH_NOTIFIER_EMAILS"),
        help="emails, and webhook deliveries, in the notifier throughput runs "
        "(default 3000, 1500 with --quick)",
    )
    flag(
        "--notifier-rate",
        type=float,
        default=float(_env("BENCH_NOTIFIER_RATE", "20")),
        help="documents committed per second in the relay latency run (default 20)",
    )
    flag(
        "--notifier-seconds",
        type=float,
        default=os.environ.get("BENCH_NOTIFIER_SECONDS"),
        help="length of the relay latency run (default 10 s, 3 s with --quick)",
    )
    flag(
        "--moving-in-rows",
        type=int,
        default=int(_env("BENCH_MOVING_IN_ROWS", str(moving_in.ROWS))),
        help="tracker rows imported in the background (default 50,000, the goal's size)",
    )
    args = p.parse_args(argv)
    if args.duration is None:
        args.duration = 3.0 if args.quick else 15.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 3.0
    if args.notifier_emails is None:
        # Enough that the worker's start (about a second, counted) is not most of the window.
        args.notifier_emails = 1500 if args.quick else 3000
    if args.notifier_seconds is None:
        args.notifier_seconds = 3.0 if args.quick else 10.0
    return args


def prepare_data(url: str, args: argparse.Namespace) -> dataset.Dataset:
    key_file = OUT / "api-keys.json"
    found = None if args.regenerate else asyncio.run(dataset.find_complete(url, args.documents))
    if found is not None:
        migrate(url)
        print(f"reusing the {args.documents:,} generated documents in {url.rsplit('/', 1)[-1]}")
        return asyncio.run(dataset.reuse(url, found, args.documents, key_file))
    print(f"generating {args.documents:,} documents (the slow part; later runs reuse them)")
    asyncio.run(dataset.drop_database(url))
    migrate(url)
    data = asyncio.run(dataset.generate(url, args.documents, args.seed, key_file))
    print(f"generated in {data.generation_seconds:.0f} s")
    return data


async def count_matches(url: str, organisation_id: Any) -> dict[str, int]:
    """How many documents each list and search scenario selects (the API returns 50 of them)."""
    org = "organisation_id = $1"
    search = f"{org} AND search_all @@ websearch_to_tsquery('english', $2)"
    queries: dict[str, tuple[str, tuple[Any, ...]]] = {
        "documents": (org, ()),
        "published procedures": (f"{org} AND status = 'published' AND kind = 'procedure'", ()),
        "overdue in area": (
            f"{org} AND lower(service_area) = lower($2) AND next_review_due < current_date",
            (AREA,),
        ),
        **{f"search {k}": (search, (q,)) for k, q in SEARCHES.items()},
        **_tracker_counts(org),
    }
    conn = await asyncpg.connect(dataset.dsn(url))
    try:
        return {
            name: await conn.fetchval(
                f"SELECT count(*) FROM documents WHERE {where}", organisation_id, *params
            )
            for name, (where, params) in queries.items()
        }
    finally:
        await conn.close()


def _tracker_counts(org: str) -> dict[str, tuple[str, tuple[Any, ...]]]:
    ranges = tracker.status_ranges(date.today(), ReviewRules())
    overdue, soon = ranges["overdue"], ranges["due_soon"]
    tracked = f"{org} AND next_review_due IS NOT NULL AND status NOT IN ('retired', 'superseded')"
    return {
        "tracked": (tracked, ()),
        "tracked overdue": (
            f"{tracked} AND next_review_due BETWEEN $2 AND $3",
            (overdue.first, overdue.last),
        ),
        "tracked due soon in area": (
            f"{tracked} AND lower(service_area) = lower($2) AND next_review_due BETWEEN $3 AND $4",
            (AREA, soon.first, soon.last),
        ),
    }


def _tracker_scenarios(counts: dict[str, int]) -> list[Scenario]:
    def tracked(key: str) -> str:
        return f"{counts[key]:,} of {counts['tracked']:,} tracked documents match"

    return [
        Scenario(
            "api tracker overdue",
            "api",
            ["/v1/tracker?status=overdue&limit=50"],
            "status=overdue: " + tracked("tracked overdue"),
        ),
        Scenario(
            "api tracker due soon in area",
            "api",
            [f"/v1/tracker?status=due_soon&service_area={AREA}&limit=50"],
            f"status=due_soon&service_area={AREA}: " + tracked("tracked due soon in area"),
        ),
        Scenario(
            "api tracker summary",
            "api",
            ["/v1/tracker/summary"],
            f"counts per status and service area over {counts['tracked']:,} tracked documents",
        ),
    ]


def _tracker_plans() -> list[explain.Case]:
    rules = ReviewRules()

    def listing(**filters: Any) -> Any:
        async def run(session: Any, principal: Any) -> Any:
            return await tracker.list_tracked(
                session,
                principal,
                tracker.TrackerFilters(**filters),
                today=date.today(),
                rules=rules,
                after=None,
                limit=50,
            )

        return run

    def by_person(field: str, role: str) -> Any:
        async def run(session: Any, principal: Any) -> Any:
            # From people, so the plan captured is still the tracker's documents query.
            person_id = await session.scalar(
                select(Person.id)
                .join(PersonRole, PersonRole.person_id == Person.id)
                .where(Person.organisation_id == principal.organisation_id, PersonRole.role == role)
                .order_by(Person.email)
                .limit(1)
            )
            return await listing(**{field: person_id})(session, principal)

        return run

    async def summary(session: Any, principal: Any) -> Any:
        return await tracker.summarise(session, principal, today=date.today(), rules=rules)

    cases = {
        "tracker all": listing(),
        "tracker overdue": listing(status="overdue"),
        "tracker due soon in area": listing(status="due_soon", service_area=AREA),
        "tracker procedures escalated": listing(status="escalated", kind="procedure"),
        "tracker by owner": by_person("owner_id", "approver"),
        "tracker by RO": by_person("responsible_officer_id", "approver"),
        "tracker summary": summary,
    }
    return [explain.Case(name, DocumentFilters(), run=run) for name, run in cases.items()]


def scenarios(ids: list[str], counts: dict[str, int]) -> list[Scenario]:
    def matching(key: str) -> str:
        return f"{counts[key]:,} of {counts['documents']:,} documents match"

    today = date.today().isoformat()
    lists = [
        Scenario(
            "api list published procedures",
            "api",
            ["/v1/documents?status=published&kind=procedure&limit=50"],
            "status=published&kind=procedure: " + matching("published procedures"),
        ),
        Scenario(
            "api list overdue in area",
            "api",
            [f"/v1/documents?service_area={AREA}&review_due_before={today}&limit=50"],
            f"service_area={AREA}&review_due_before=today: " + matching("overdue in area"),
        ),
    ]
    searches = [
        Scenario(
            f"api search {kind}",
            "api",
            [f"/v1/documents?q={quote(query)}&limit=50"],
            f"q={query!r}: " + matching(f"search {kind}"),
        )
        for kind, query in SEARCHES.items()
    ]
    pages = [*lists, *searches, *_tracker_scenarios(counts)]
    # The same pages made from the database on every request, by an API that keeps none
    # (POLICYGOV_PAGE_CACHE_MB=0): what a page nobody asked for lately costs. No goal reads
    # these rows; they keep the kept pages' figures honest.
    made = [
        Scenario(f"{s.name}, made afresh", "made", s.paths, "every page made: " + s.note)
        for s in pages
    ]
    return [
        Scenario(
            "api get-by-id",
            "api",
            [f"/v1/documents/{i}" for i in ids],
            f"random one of {len(ids):,} ids, Bearer admin API key",
        ),
        *pages,
        *made,
        Scenario(
            "reference get-by-id",
            "reference",
            [f"/documents/{i}" for i in ids],
            "bare FastAPI + asyncpg pool, the same SELECT, no auth",
        ),
    ]


def run_plans(url: str, data: dataset.Dataset, ids: list[str]) -> dict[str, Any]:
    today = date.today()
    procedures = DocumentFilters(status=DocumentStatus.PUBLISHED, kind="procedure")
    overdue = DocumentFilters(service_area=AREA, review_due_before=today)
    cases = [
        explain.Case("list published procedures", procedures),
        explain.Case("list overdue in area", overdue),
        *(explain.Case(f"search {k}", DocumentFilters(q=q)) for k, q in SEARCHES.items()),
        *(
            explain.Case(f"search {k} as author", DocumentFilters(q=q), as_author=True)
            for k, q in SEARCHES.items()
        ),
        *_tracker_plans(),
    ]
    plans = asyncio.run(explain.capture_plans(url, data.api_key, cases))
    cost = asyncio.run(explain.text_columns_cost(url, data.organisation_id, ids))
    with (OUT / "plans.txt").open("w") as out:
        for plan in plans:
            out.write(f"===== {plan.name}: run 1, {plan.first_ms:.1f} ms\n{plan.first_plan}\n")
            out.write(f"===== {plan.name}: run {explain.RUNS}, {plan.last_ms:.1f} ms\n")
            out.write(f"{plan.last_plan}\n\n")
    print(
        "\nSQL our service emits, timed by auto_explain (EXPLAIN ANALYZE in var/bench/plans.txt):"
    )
    for plan in plans:
        changed = " [generic plan after prepare]" if plan.changed_plan else ""
        print(
            f"  {plan.name:26} run 1 {plan.first_ms:7.1f} ms, run {explain.RUNS} "
            f"{plan.last_ms:7.1f} ms: {plan.summary}{changed}"
        )
    w, wo = cost["with_text_columns"], cost["without_text_columns"]
    print(
        f"  get-by-id SELECT alone: {w['mean_us']} us with latest_text and published_text "
        f"({w['mean_row_chars']:,} chars a row), {wo['mean_us']} us without them "
        f"({wo['mean_row_chars']:,} chars)"
    )
    return {"plans": [asdict(p) for p in plans], "text_columns": cost}


def measure(
    scenario: Scenario, server: Server, token: str, args: argparse.Namespace, wrk_path: str | None
) -> Outcome:
    headers = {"Authorization": f"Bearer {token}"} if scenario.server != "reference" else {}
    status, body = get(server.port, scenario.paths[0], headers)
    if not 200 <= status < 300:
        print(f"  ! {scenario.name}: the first request got {status}: {body[:300]!r}")
    meter = Meter(server.process.pid, dataset.dsn(args.url))
    if wrk_path:
        paths_file = OUT / "paths.txt"
        paths_file.write_text("\n".join(scenario.paths) + "\n")
        key = token if scenario.server != "reference" else ""
        common = (wrk_path, OUT, server.base_url, paths_file, key, args.connections)
        wrk.run(*common, args.warmup)
        meter.start()
        result = wrk.run(*common, args.duration)
    else:
        # The Python client warms up inside its run, so its CPU window includes the warm-up.
        meter.start()
        result = loadgen.run_blocking(
            "127.0.0.1",
            server.port,
            scenario.paths,
            headers,
            args.connections,
            args.duration,
            args.warmup,
        )
    return Outcome(scenario, result, meter.stop())


def print_table(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    floor = next((o for o in outcomes if o.scenario.server == "reference"), None)
    ours = next((o for o in outcomes if o.scenario.name == "api get-by-id"), None)
    ratios: dict[str, dict[str, float]] = {}
    text = {}
    if ours and floor and floor.result.rps and floor.result.p50_ms:
        rps = ours.result.rps / floor.result.rps
        p50 = ours.result.p50_ms / floor.result.p50_ms
        ratios["api get-by-id"] = {"rps_ratio": round(rps, 3), "p50_ratio": round(p50, 2)}
        text["api get-by-id"] = f"{rps:.2f}x req/s, {p50:.1f}x p50"
        text["reference get-by-id"] = "1.00 (the floor)"
    width = max([30, *(len(o.scenario.name) for o in outcomes)])
    header = (
        f"{'scenario':{width}} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6}  {'vs reference':22} {'server cpu%':>11} {'pg cpu%':>7}"
        f" {'client cpu%':>11} {'new db conns':>12}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for o in outcomes:
        r, u = o.result, o.usage
        print(
            f"{o.scenario.name:{width}} {r.requests:>9,} {r.rps:>8,.0f} {r.p50_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.errors:>6,}  {text.get(o.scenario.name, ''):22} "
            f"{u.server_cpu:>11.0f} {u.postgres_cpu:>7.0f} {u.client_cpu:>11.0f} "
            f"{u.new_connections:>12,}"
        )
    return ratios


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    args.url = url = os.environ.get("BENCH_DATABASE_URL") or dataset.DEFAULT_URL
    started = time.perf_counter()
    # BENCH_ONLY selects by name: the API scenarios' names, and "notifier" for the notifier part.
    api_wanted = not args.only or any(
        args.only in s.name for s in scenarios([""], dict.fromkeys(_COUNT_KEYS, 0))
    )
    notifier_wanted = not args.only or args.only in "notifier"
    moving_wanted = not args.only or args.only in "moving in"
    scale_wanted = not args.only or args.only in "scale"
    if not api_wanted:
        if not notifier_wanted and not moving_wanted and not (args.scale and scale_wanted):
            print(f"no scenario matches BENCH_ONLY={args.only!r}", file=sys.stderr)
            return 1
        report = run_notifier(args) if notifier_wanted else None
        moving = run_moving_in(args) if moving_wanted else None
        wrk_path = wrk.ensure_wrk(install=True) if args.client in ("auto", "wrk") else None
        scaled = run_scale(args, wrk_path) if args.scale and scale_wanted else None
        goals.print_goals(
            write_results(args, None, None, None, [], {}, None, report, None, moving, scaled)
        )
        print(f"Results in var/bench/results.json ({time.perf_counter() - started:.0f} s).")
        return 1 if (report is not None and report.errors) or _moving_failed(moving) else 0
    data = prepare_data(url, args)
    ids = asyncio.run(dataset.sample_ids(url, data.organisation_id, 20_000))
    counts = asyncio.run(count_matches(url, data.organisation_id))
    chosen = [s for s in scenarios(ids, counts) if not args.only or args.only in s.name]
    plans = run_plans(url, data, ids) if args.explain else None

    wrk_path = None
    if args.client in ("auto", "wrk"):
        wrk_path = wrk.ensure_wrk(install=True)
        if wrk_path is None and args.client == "wrk":
            print("wrk is required (--client wrk) but missing", file=sys.stderr)
            return 1
    client = (
        f"wrk {wrk.version(wrk_path)} (Debian package; 1 thread, C + epoll)"
        if wrk_path
        else "tests/bench/loadgen.py (asyncio + uvloop, in the runner process)"
    )

    servers: dict[str, Server] = {}
    # The API as deployed: as many processes as POLICYGOV_API_WORKERS gives (the bench's own
    # environment may set it), the floor in one.
    api_workers = Settings().api_workers
    outcomes: list[Outcome] = []
    api_rss: int | None = None
    try:
        servers["api"] = start_uvicorn(
            "api",
            "services.api.app:create_app",
            {"POLICYGOV_DATABASE_URL": url, "POLICYGOV_SECRET_KEY": "bench-secret-key"},
            OUT,
            workers=api_workers,
        )
        servers["reference"] = start_uvicorn(
            "reference",
            "tests.bench.reference_app:create_app",
            {"BENCH_DATABASE_URL": url, "BENCH_ORGANISATION_ID": str(data.organisation_id)},
            OUT,
        )
        print(
            f"\nAPI on :{servers['api'].port} (uvicorn, {api_workers} worker processes as "
            "POLICYGOV_API_WORKERS deploys it), reference on "
            f":{servers['reference'].port} (uvicorn, 1 process: the floor as issue 16 defines "
            "it); no access log. "
            f"Load: {client}, {args.connections} keep-alive HTTP/1.1 connections, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s measured per scenario."
        )
        for scenario in chosen:
            if scenario.server == "made" and "made" not in servers:
                # One API at a time: both with their pools full would pass PostgreSQL's
                # max_connections (100 by default).
                api_rss = max_rss_bytes(servers["api"].process.pid)
                servers.pop("api").stop()
                servers["made"] = start_made(url)
            print(f"  {scenario.name}: {scenario.note}", flush=True)
            outcomes.append(
                measure(scenario, servers[scenario.server], data.api_key, args, wrk_path)
            )
        if "api" in servers:
            api_rss = max_rss_bytes(servers["api"].process.pid)
    finally:
        for server in servers.values():
            server.stop()

    ratios = print_table(outcomes)
    print(
        f"\nLoad generator: {client}. It shares this machine's {os.cpu_count()} cores with the "
        "server under test and PostgreSQL, so absolute rates are lower than on separate hosts. "
        "cpu% is per cent of one core over the measured window (each window starts once the "
        "database has finished the warm-up's queries); new db conns are connections the server "
        "opened in the window (pool churn)."
    )
    for o in outcomes:
        if o.result.errors:
            print(
                f"  ERRORS in {o.scenario.name}: status {dict(o.result.non_2xx)}, socket "
                f"{dict(o.result.socket_errors)}; first error body: {o.result.error_sample!r}"
            )
    if data.generation_seconds is not None:
        print(f"Generating the {data.documents:,} documents took {data.generation_seconds:.0f} s.")
    # The API results are written first: a notifier failure must not lose them.
    write_results(args, data, client, counts, outcomes, ratios, plans, None, api_rss)
    report = run_notifier(args) if notifier_wanted else None
    moving = run_moving_in(args) if moving_wanted else None
    scaled = run_scale(args, wrk_path) if args.scale and scale_wanted else None
    goals.print_goals(
        write_results(
            args, data, client, counts, outcomes, ratios, plans, report, api_rss, moving, scaled
        )
    )
    print(f"Results in var/bench/results.json (whole run {time.perf_counter() - started:.0f} s).")
    failed = any(o.result.errors for o in outcomes) or (report is not None and report.errors)
    return 1 if failed or _moving_failed(moving) else 0


def start_made(url: str) -> Server:
    """The API as deployed (``POLICYGOV_API_WORKERS`` processes) keeping no pages: each page
    made from the database, the "made afresh" rows."""
    return start_uvicorn(
        "made",
        "services.api.app:create_app",
        {
            "POLICYGOV_DATABASE_URL": url,
            "POLICYGOV_SECRET_KEY": "bench-secret-key",
            "POLICYGOV_PAGE_CACHE_MB": "0",
        },
        OUT,
        workers=Settings().api_workers,
    )


def run_scale(args: argparse.Namespace, wrk_path: str | None) -> scale.Scale:
    """The scale part: the review sweep, and the bench organisation's pages made afresh, in its
    register alone and inside a shared service's 1,000,000 documents."""
    key_file = OUT / "api-keys.json"
    big_url = os.environ.get("BENCH_SCALE_DATABASE_URL") or scale.DEFAULT_URL
    small = prepare_data(args.url, args)
    big = scale.ensure_register(big_url, args.documents, args.seed, key_file)
    sweeps = {url: asyncio.run(scale.sweep_cost(url)) for url in (args.url, big_url)}
    pages = [s for s in scenarios([""], dict.fromkeys(_COUNT_KEYS, 0)) if s.server == "made"]
    measured: dict[str, list[Outcome]] = {}
    for url, data in ((args.url, small), (big_url, big)):
        server = start_made(url)
        try:
            # A first pass, not counted: a register of 15 GB is not in memory after the other,
            # and whichever page came first paid for reading it in (0.54x in one run, 1.04x in
            # the next).
            for page in pages:
                measure(page, server, data.api_key, args, wrk_path)
            measured[url] = [measure(p, server, data.api_key, args, wrk_path) for p in pages]
        finally:
            server.stop()
    result = scale.Scale(
        documents_1m=sweeps[big_url].documents,
        organisations_1m=asyncio.run(dataset.count_organisations(big_url)),
        sweep_100k=sweeps[args.url],
        sweep_1m=sweeps[big_url],
        pages=[
            scale.PageAtScale(
                a.scenario.name, a.result.rps, b.result.rps, a.result.p99_ms, b.result.p99_ms
            )
            for a, b in zip(measured[args.url], measured[big_url], strict=True)
        ],
    )
    scale.write_plans(OUT / "plans.txt", result)
    scale.print_table(result)
    return result


def run_moving_in(args: argparse.Namespace) -> moving_in.MovingIn:
    """The moving-in part: a tracker imported in the background while the register is read."""
    result = moving_in.run(
        os.environ.get("BENCH_MOVING_IN_DATABASE_URL") or moving_in.DEFAULT_URL,
        os.environ.get("BENCH_MOVING_IN_REDIS_URL") or moving_in.DEFAULT_REDIS_URL,
        OUT,
        args.moving_in_rows,
    )
    moving_in.print_table(result)
    return result


def _moving_failed(moving: moving_in.MovingIn | None) -> bool:
    return moving is not None and (moving.status != "succeeded" or moving.reader_errors > 0)


def max_rss_bytes(pid: int) -> int | None:
    """The largest resident memory now of a server's processes, for the memory goal (a
    process)."""
    sizes = [size for p in process_tree(pid) if (size := rss_bytes(p)) is not None]
    return max(sizes, default=None)


def rss_bytes(pid: int) -> int | None:
    """A process's resident memory now (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), None)
    return int(line.split()[1]) * 1024 if line else None


def run_notifier(args: argparse.Namespace) -> notifier_report.Report:
    """The notifier part; its small table is printed right after the API table."""
    config = notifier.Config(
        url=os.environ.get("BENCH_NOTIFIER_DATABASE_URL") or notifier.DEFAULT_URL,
        redis_url=os.environ.get("BENCH_NOTIFIER_REDIS_URL") or notifier.DEFAULT_REDIS_URL,
        emails=args.notifier_emails,
        rate=args.notifier_rate,
        seconds=args.notifier_seconds,
        bursts=1 if args.quick else 3,
        out=OUT,
    )
    report = notifier.run(config)
    notifier_report.print_table(report)
    return report


def write_results(
    args: argparse.Namespace,
    data: dataset.Dataset | None,
    client: str | None,
    counts: dict[str, int] | None,
    outcomes: list[Outcome],
    ratios: dict[str, dict[str, float]],
    plans: dict[str, Any] | None,
    report: notifier_report.Report | None,
    api_rss: int | None,
    moving: moving_in.MovingIn | None = None,
    scaled: scale.Scale | None = None,
) -> list[goals.Goal]:
    rows = [goals.Row(o.scenario.name, o.result.rps, o.result.p99_ms) for o in outcomes]
    judged = goals.judge(rows, report, api_rss, moving, scaled)
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "client": client,
        "cpu_count": os.cpu_count(),
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "documents": data.documents if data else None,
        "generation_seconds": data.generation_seconds if data else None,
        "matches": counts,
        "scenarios": [
            {
                "name": o.scenario.name,
                "server": o.scenario.server,
                "example_path": o.scenario.paths[0],
                "note": o.scenario.note,
                "requests": o.result.requests,
                "seconds": round(o.result.seconds, 3),
                "rps": round(o.result.rps, 1),
                "p50_ms": round(o.result.p50_ms, 2),
                "p99_ms": round(o.result.p99_ms, 2),
                "mean_ms": round(o.result.mean_ms, 2),
                "max_ms": round(o.result.max_ms, 2),
                "errors": o.result.errors,
                "non_2xx": {str(k): v for k, v in o.result.non_2xx.items()},
                "socket_errors": dict(o.result.socket_errors),
                "error_sample": o.result.error_sample,
                "usage": asdict(o.usage),
            }
            for o in outcomes
        ],
        "ratios_vs_reference": ratios,
        "explain": plans,
        "notifier": notifier_report.to_json(report) if report else None,
        "api_rss_bytes": api_rss,
        "moving_in": moving_in.to_json(moving) if moving else None,
        "scale": asdict(scaled) if scaled else None,
        "goals": goals.to_json(judged),
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return judged


if __name__ == "__main__":
    sys.exit(main())
