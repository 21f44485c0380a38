"""The notifier bench's figures: what is measured, the small table, and the JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Stats:
    count: int
    p50: float
    p99: float
    mean: float
    max: float
    min: float

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        if not values:
            return cls(0, float("nan"), float("nan"), float("nan"), float("nan"), float("nan"))
        ordered = sorted(values)
        return cls(
            len(ordered),
            round(percentile(ordered, 50), 2),
            round(percentile(ordered, 99), 2),
            round(sum(ordered) / len(ordered), 2),
            round(ordered[-1], 2),
            round(ordered[0], 2),
        )


def percentile(ordered: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Throughput:
    emails: int
    documents_created_s: float  # committing the documents through the domain, before the worker
    seconds: float  # worker start -> every email received and every row sent
    emails_per_s: float
    worker_ready_s: float  # worker start -> its startup hook ran (heartbeat in Redis)
    first_email_s: float  # worker start -> first email at the sink
    first_to_last_s: float
    emails_per_s_first_to_last: float
    received: int
    distinct_message_ids: int
    duplicates: int
    missing: int
    unexpected: int
    not_sent: dict[str, int]
    attempts_over_one: int
    poll_seconds: float
    max_jobs: int
    worker_cpu: float  # per cent of one core over the measured window
    postgres_cpu: float
    sink_cpu: float
    timed_out: bool

    @property
    def errors(self) -> int:
        return (
            self.duplicates
            + self.missing
            + self.unexpected
            + sum(self.not_sent.values())
            + int(self.timed_out)
        )


@dataclass
class Latency:
    documents: int
    rate_per_s: float
    seconds: float
    poll_seconds: float
    events_measured: int
    missing_job_records: int
    over_poll_interval: int
    # The figure asked for: event created_at (set when the row is flushed, a few ms before
    # COMMIT) -> the worker's relay enqueued the send_notification job (arq's enqueue time).
    created_to_enqueue_ms: Stats
    created_to_commit_ms: Stats  # created_at -> COMMIT returned in the committing client
    commit_to_enqueue_ms: Stats  # COMMIT returned -> enqueued
    created_to_published_ms: Stats  # created_at -> published_at stamped in the relay's txn
    enqueue_to_start_ms: Stats  # queue wait: enqueued -> the job started
    job_ms: Stats  # the send_notification job: claim, render, SMTP, finish
    created_to_email_ms: Stats  # created_at -> the sink received the email
    after_next_commit: int  # enqueued only after the next document was committed
    bursts: int  # pairs of back-to-back commits, each followed by quiet
    burst_created_to_enqueue_ms: list[float]  # every event of those pairs
    burst_waited_for_poll: int  # ... that was picked up by the poll, not by its NOTIFY
    samples_ms: list[float]  # created_to_enqueue of every event of the steady run, sorted
    worker_cpu: float
    postgres_cpu: float
    committer_cpu: float
    undelivered: int
    duplicates: int

    @property
    def errors(self) -> int:
        return self.missing_job_records + self.undelivered + self.duplicates


@dataclass
class WebhookThroughput:
    deliveries: int
    seconds: float  # worker start -> every delivery received and recorded as delivered
    deliveries_per_s: float
    received: int
    duplicates: int
    missing: int
    worker_cpu: float
    timed_out: bool

    @property
    def errors(self) -> int:
        return self.duplicates + self.missing + int(self.timed_out)


@dataclass
class Report:
    cpu_count: int | None
    database: str
    redis: str
    throughput: Throughput | None = None
    latency: Latency | None = None
    webhooks: WebhookThroughput | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return (
            (self.throughput.errors if self.throughput else 1)
            + (self.latency.errors if self.latency else 1)
            + (self.webhooks.errors if self.webhooks else 1)
        )


def _ms(s: Stats) -> str:
    return f"{s.p50:,.1f} / {s.p99:,.1f} ms (max {s.max:,.1f})"


def print_table(report: Report) -> None:
    rows: list[tuple[str, str]] = []
    t, lat = report.throughput, report.latency
    if t:
        rows += [
            ("emails through SMTP to the sink", f"{t.distinct_message_ids:,} of {t.emails:,}"),
            ("  worker start -> all received and sent", f"{t.seconds:.2f} s"),
            ("  emails/s, worker start -> all sent", f"{t.emails_per_s:,.1f}"),
            ("  emails/s, first email -> last email", f"{t.emails_per_s_first_to_last:,.1f}"),
            (
                "  worker start -> ready / first email",
                f"{t.worker_ready_s:.2f} s / {t.first_email_s:.2f} s",
            ),
            (
                "  duplicates / missing / unexpected",
                f"{t.duplicates} / {t.missing} / {t.unexpected}",
            ),
            ("  rows not sent / sent after a retry", f"{t.not_sent or 0} / {t.attempts_over_one}"),
            (
                "  cpu% worker / postgres / sink",
                f"{t.worker_cpu:.0f} / {t.postgres_cpu:.0f} / {t.sink_cpu:.0f}",
            ),
        ]
    if report.webhooks:
        w = report.webhooks
        rows += [
            ("webhook deliveries to a local receiver", f"{w.received:,} of {w.deliveries:,}"),
            ("  deliveries/s, worker start -> all recorded", f"{w.deliveries_per_s:,.1f}"),
            ("  duplicates / missing", f"{w.duplicates} / {w.missing}"),
            ("  cpu% worker", f"{w.worker_cpu:.0f}"),
        ]
    if lat:
        rows += [
            (
                f"relay latency, {lat.documents} commits at {lat.rate_per_s:g}/s",
                f"{lat.events_measured} events measured",
            ),
            ("  commit -> enqueued p50 / p99", _ms(lat.created_to_enqueue_ms)),
            ("  (created_at -> COMMIT returned p50 / p99)", _ms(lat.created_to_commit_ms)),
            ("  COMMIT returned -> enqueued p50 / p99", _ms(lat.commit_to_enqueue_ms)),
            ("  enqueued -> job started p50 / p99", _ms(lat.enqueue_to_start_ms)),
            ("  send job (claim, SMTP, finish) p50 / p99", _ms(lat.job_ms)),
            ("  commit -> email at the sink p50 / p99", _ms(lat.created_to_email_ms)),
            (
                f"  enqueued after the next commit / after {lat.poll_seconds:g} s",
                f"{lat.after_next_commit} / {lat.over_poll_interval} of {lat.events_measured}",
            ),
            (
                f"  {lat.bursts} pair{'s' if lat.bursts != 1 else ''} of back-to-back commits",
                ", ".join(f"{v:,.0f}" for v in lat.burst_created_to_enqueue_ms) + " ms"
                if lat.bursts
                else "-",
            ),
            (
                "  missing job records / undelivered / dup",
                f"{lat.missing_job_records} / {lat.undelivered} / {lat.duplicates}",
            ),
            (
                "  cpu% worker / postgres / committer",
                f"{lat.worker_cpu:.0f} / {lat.postgres_cpu:.0f} / {lat.committer_cpu:.0f}",
            ),
        ]
    width = max(len(name) for name, _ in rows)
    header = f"{'notifier metric':{width}}  value"
    print("\n" + header + "\n" + "-" * (len(header) + 28))
    for name, value in rows:
        print(f"{name:{width}}  {value}")
    notes = [
        f"The committing client (the bench), the worker, the SMTP sink and PostgreSQL share this "
        f"machine's {report.cpu_count} cores; cpu% is per cent of one core over the window.",
    ]
    if t:
        notes.append(
            f"Throughput: one worker (python -m services.cli worker, max_jobs {t.max_jobs}, relay "
            f"poll {t.poll_seconds:g} s), its SMTP connections kept open between emails, an "
            "aiosmtpd sink; the documents were committed before the worker started, so the relay "
            "drains a backlog of events while the sends run."
        )
    if lat:
        notes.append(
            "Latency: 'commit' is the event's created_at, stamped when the row is flushed inside "
            f"create_document, {lat.created_to_commit_ms.p50:.1f} ms (p50) before COMMIT returned; "
            "'enqueued' is arq's enqueue time of the send_notification job (ms resolution), read "
            f"back from Redis. With a {lat.poll_seconds:g} s poll interval, figures far below it "
            "come from LISTEN/NOTIFY. Queue wait is bounded by arq's poll_delay "
            "(WorkerSettings.poll_delay)."
        )
        if lat.burst_waited_for_poll:
            notes.append(
                f"LOST WAKE-UPS: {lat.burst_waited_for_poll} of "
                f"{len(lat.burst_created_to_enqueue_ms)} events committed right after another "
                f"waited for the {lat.poll_seconds:g} s poll: a NOTIFY that arrives while the "
                "relay is busy is forgotten (likely cause: run_relay clears its wake event after "
                "the round instead of before it)."
            )
    report.notes = notes
    for note in notes:
        print(f"  {note}")
    if report.errors:
        print(
            f"  NOTIFIER ERRORS: {report.errors} "
            "(see var/bench/results.json and var/bench/notifier-worker.log)"
        )


def to_json(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["errors"] = report.errors
    return data
