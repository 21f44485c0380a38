"""Scale: the bench's register inside a shared service's, 1,000,000 documents across 500
organisations (issue 16's scale goal), against the bench's own 100,000 in one.

What it measures, each at both sizes, in one run:

- the review sweep as it runs every minute (a run later in the day: nothing new since the last)
  and a day's first run (the day's thresholds reached), each in a transaction rolled back, so
  the databases are left as they were; the SQL of each, with EXPLAIN ANALYZE, goes to
  ``var/bench/plans.txt``;
- one organisation's list, search and tracker pages made afresh (an API keeping no pages, so
  each request reads the database), for the bench organisation.

``BENCH_SCALE=1 make bench`` runs it after the rest (``BENCH_ONLY=scale`` alone). The register is
generated once into ``BENCH_SCALE_DATABASE_URL`` (policygov_bench_scale) and reused: about
twenty minutes the first time.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert

from services.cli import migrate
from services.domain.clock import london_today
from services.domain.db import make_engine, make_sessionmaker
from services.domain.models.notifications import SweepMark
from services.domain.notifications import review_window
from services.domain.notifications.review_schedule import (
    ReviewRules,
    _reviewable,
    plan_review_notices,
)
from services.domain.settings import Settings
from tests.bench import dataset

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/policygov_bench_scale"
# The figures; smaller ones try the part out quickly (the goals still ask for these).
TOTAL = int(os.environ.get("BENCH_SCALE_DOCUMENTS", "1000000"))
ORGANISATIONS = int(os.environ.get("BENCH_SCALE_ORGANISATIONS", "500"))
SWEEP_RUNS = 3


def others_each(documents: int) -> int:
    """Documents per other organisation, so the register holds TOTAL."""
    return -(-(TOTAL - documents) // (ORGANISATIONS - 1))


def ensure_register(url: str, documents: int, seed: int, key_file: Path) -> dataset.Dataset:
    """The scale register: reused when complete, else generated (dropping what was there)."""
    found = asyncio.run(dataset.find_complete(url, documents))
    if found is not None and asyncio.run(dataset.count_organisations(url)) == ORGANISATIONS:
        migrate(url)
        print(f"reusing the scale register in {url.rsplit('/', 1)[-1]}")
        return asyncio.run(dataset.reuse(url, found, documents, key_file))
    each = others_each(documents)
    print(
        f"generating the scale register: {documents:,} documents for the bench organisation and "
        f"{ORGANISATIONS - 1} more organisations of {each:,} (about twenty minutes, once)"
    )
    asyncio.run(dataset.drop_database(url))
    migrate(url)
    data = asyncio.run(dataset.generate(url, documents, seed, key_file))
    seconds = asyncio.run(dataset.add_organisations(url, ORGANISATIONS - 1, each, seed))
    generated = (data.generation_seconds or 0) + seconds
    print(f"generated in {generated:.0f} s")
    return dataset.Dataset(url, data.organisation_id, data.api_key, documents, generated)


@dataclass
class SweepCost:
    """The review sweep at one size: seconds per run (the median of SWEEP_RUNS)."""

    later_run_s: float
    first_run_s: float
    first_run_notices: int
    documents: int
    plans: dict[str, str] = field(default_factory=dict)


async def sweep_cost(url: str) -> SweepCost:
    settings = Settings()
    rules = ReviewRules(
        reminder_days=tuple(settings.review_reminder_days),
        escalation_months=settings.review_escalation_months,
    )
    today = london_today()
    engine = make_engine(url)
    timings: dict[str, list[float]] = {"later": [], "first": []}
    notices = 0
    plans: dict[str, str] = {}
    try:
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            documents = int(await session.scalar(text("SELECT count(*) FROM documents")) or 0)
        for run in range(SWEEP_RUNS):
            for label, last in (("later", today), ("first", today - timedelta(days=1))):
                async with sessionmaker() as session, session.begin():
                    # As if the sweep had last run on ``last``, a moment ago, with nothing
                    # changed since (the generated rows are all older; counting them as
                    # changed would measure a fresh register, not a sweep's day).
                    await session.execute(delete(SweepMark))
                    horizon = datetime.now(UTC) + review_window.CLOCK_MARGIN
                    await session.execute(
                        insert(SweepMark).values(
                            name=review_window.NAME,
                            swept_on=last,
                            changes_since=horizon,
                            rules=review_window.rules_key(
                                rules.reminder_days, rules.escalation_months
                            ),
                        )
                    )
                    if run == 0:
                        plans[label] = await _explained(session, today, rules)
                    started = time.perf_counter()
                    created = await plan_review_notices(session, today, rules)
                    timings[label].append(time.perf_counter() - started)
                    if label == "first":
                        notices = len(created.notifications)
                    await session.rollback()  # the database is left as it was
    finally:
        await engine.dispose()
    return SweepCost(
        later_run_s=statistics.median(timings["later"]),
        first_run_s=statistics.median(timings["first"]),
        first_run_notices=notices,
        documents=documents,
        plans=plans,
    )


async def _explained(session: Any, today: Any, rules: ReviewRules) -> str:
    """EXPLAIN ANALYZE of the documents query the sweep is about to run."""
    window = await review_window.open_window(
        session, today, rules.reminder_days, rules.escalation_months
    )
    query = _reviewable(today, rules).where(window.condition)
    compiled = query.compile(
        dialect=session.bind.dialect, compile_kwargs={"render_postcompile": True}
    )
    raw = await (await session.connection()).get_raw_connection()
    driver = raw.driver_connection
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    rows = await driver.fetch("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), *params)
    return "\n".join(r[0] for r in rows)


@dataclass
class PageAtScale:
    name: str
    rps_100k: float
    rps_1m: float
    p99_100k_ms: float
    p99_1m_ms: float

    @property
    def ratio(self) -> float:
        return self.rps_1m / self.rps_100k if self.rps_100k else 0.0


@dataclass
class Scale:
    """One scale run: the review sweep and one organisation's pages at both sizes."""

    documents_1m: int
    organisations_1m: int
    sweep_100k: SweepCost
    sweep_1m: SweepCost
    pages: list[PageAtScale]

    @property
    def sweep_ratio(self) -> float:
        return self.sweep_1m.later_run_s / max(self.sweep_100k.later_run_s, 1e-6)


def write_plans(path: Path, scale: Scale) -> None:
    with path.open("a") as out:
        for size, cost in (("100k", scale.sweep_100k), ("1M", scale.sweep_1m)):
            for label, plan in cost.plans.items():
                run = "a day's first run" if label == "first" else "a run later in the day"
                out.write(f"===== review sweep at {size} ({cost.documents:,} documents), {run}\n")
                out.write(f"{plan}\n\n")


def print_table(scale: Scale) -> None:
    print(
        f"\nScale: the bench organisation's register alone ({scale.sweep_100k.documents:,} "
        f"documents) and inside {scale.organisations_1m} organisations' "
        f"({scale.documents_1m:,} documents)"
    )
    for label, attr in (
        ("a run later in the day", "later_run_s"),
        ("a day's first run", "first_run_s"),
    ):
        small, big = getattr(scale.sweep_100k, attr), getattr(scale.sweep_1m, attr)
        print(
            f"  review sweep, {label:24} {small * 1000:9.1f} ms  {big * 1000:9.1f} ms"
            f"  ({big / max(small, 1e-6):.1f}x)"
        )
    print(
        f"  notices a day's first run makes: {scale.sweep_100k.first_run_notices:,} and "
        f"{scale.sweep_1m.first_run_notices:,}"
    )
    for page in scale.pages:
        print(
            f"  {page.name:46} {page.rps_100k:7,.0f} req/s (p99 {page.p99_100k_ms:5,.0f} ms)"
            f"  {page.rps_1m:7,.0f} req/s (p99 {page.p99_1m_ms:5,.0f} ms)  {page.ratio:.2f}x"
        )
