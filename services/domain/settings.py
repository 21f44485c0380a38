"""All configuration, from environment variables prefixed ``POLICYGOV_`` (see README)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.domain.heavy_work import HeavyLimits
from services.domain.tokens import Keyring


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYGOV_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/policygov"
    # Match the pool to the concurrency one process serves: connections opened and closed per
    # request cost more than the query. Pre-ping costs a round trip per request; off by default.
    db_pool_size: int = 20
    db_max_overflow: int = 10
    db_pool_pre_ping: bool = False
    db_pool_recycle_seconds: int = 1800
    # How long opening a connection may take before PostgreSQL counts as unavailable (503).
    db_connect_timeout_seconds: float = 5.0
    # Past one database (deploy/SCALING.md). Reads that tolerate lag (the register's lists and
    # searches, the tracker, the calendar feeds) go to this read replica, if set; everything
    # else, and every write, to database_url. Unset: every query goes to database_url.
    database_replica_url: str | None = None
    # After a caller's own write, its lag-tolerant reads stay on the primary this long, so it
    # never reads the register from before its change. A streaming replica on the same network
    # replays within a second under load; five leave room for a burst, and cost only that a
    # writer's next few reads go to the primary. Keep it above the replica lag you alert on.
    replica_after_write_seconds: float = Field(default=5.0, ge=0, le=300)
    # database_url (and the replica's) is PgBouncer in transaction mode: no prepared statement
    # is kept or reused across transactions, as the next may run on another server connection.
    database_pgbouncer: bool = False
    # Where the notifier LISTENs for new outbox events: PostgreSQL itself, as LISTEN does not
    # pass through PgBouncer in transaction mode. Unset: database_url, or with
    # database_pgbouncer, no LISTEN (the relay polls every relay_poll_seconds).
    database_listen_url: str | None = None
    # An API key's principal is kept this long in each API process, so most requests need no
    # query to authenticate. A key revoked, or a person deactivated or given other roles, stops
    # working at once in the process that made the change and within this many seconds in the
    # others. 0: every request asks the database.
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    # Pages of the register and the tracker (lists, searches, the summary) are kept in each API
    # process, up to this many megabytes, and served again while the organisation's audit chain
    # has not moved: every change through the API or the notifier appends to it. 0: no keeping.
    page_cache_mb: int = Field(default=32, ge=0, le=1024)
    # The longest a kept page is served: what bounds a change that bypassed the audit trail
    # (an operator's hand edit in psql) going unseen.
    page_cache_seconds: float = Field(default=60.0, gt=0, le=3600)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Signs pagination cursors, calendar-feed addresses and consultees' links. No default: the
    # API and the notifier refuse to start without it (`make run` makes one under var/).
    secret_key: str | None = None
    # During a rotation, the keys that signed before (one, or a comma-separated list): what they
    # signed still verifies; everything new is signed with secret_key.
    secret_key_previous: Annotated[list[str], NoDecode] = Field(default_factory=list)

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Processes `policygov serve` (and `run`) answer requests with. One process uses one core at
    # most; each has its own connection pool (db_pool_size) and its own API-key cache.
    api_workers: int = Field(default=2, ge=1, le=32)
    # The addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
    # believed (comma-separated addresses or networks, or * for any): the client address the
    # access log shows and the scheme of the links handed out. From anyone else, ignored.
    forwarded_allow_ips: str = "127.0.0.1"
    # Prometheus metrics, each process on its own port at metrics_host (never on api_port, so
    # the API's own address serves no /metrics): the API's when api_metrics_port is set, the
    # notifier's when notifier_metrics_port is set. Unset: no metrics server. `policygov run`
    # sets both (9464 and 9465) unless given.
    metrics_host: str = "127.0.0.1"
    api_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    notifier_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # The base of every link in an email. By default the API's own address, which serves the
    # read-only pages those links open (services/api/pages); a deployment with its own front
    # end sets its address here and serves the same paths (README, "Links in emails").
    frontend_base_url: str = "http://127.0.0.1:8000"
    # How long a link in an email to a member of staff opens its page (signed for the
    # recipient, never stored; an inactive person's links stop at once).
    view_link_days: int = Field(default=30, ge=1, le=366)
    # Where clients reach the API (e.g. https://intranet.example.org/policygov behind a proxy
    # that adds a path prefix): the base of the absolute links it hands out (a publication's
    # file_url, calendar-feed addresses). Unset: each request's own scheme, host and root path.
    public_url: str | None = None
    # Web origins whose pages may call the API from a browser (CORS), comma-separated, e.g.
    # https://intranet.example.org. None by default: browsers allow no other origin.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How the API and the notifier write their logs (to stderr): "text", one readable line per
    # record, or "json", one object per line, for a log collector. Tracing is set with the
    # standard OTEL_* variables instead (README, "Tracing").
    log_format: Literal["text", "json"] = "text"

    max_upload_bytes: int = 25 * 1024 * 1024
    # A document's FOI export holds every version's file; it is refused when they come to more
    # than this (the zip is written to a temporary file, one version in memory at a time).
    paper_trail_max_bytes: int = 512 * 1024 * 1024
    # Where new version files are written: "postgres" (the version_files table, the default)
    # or "s3", an S3-compatible object store (MinIO, AWS S3...) with s3_bucket; reads find a
    # file wherever its row says it is, and `policygov move-files` moves files between them.
    # Credentials come from boto3's own chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or
    # a profile, or an instance role). s3_endpoint_url is unset for AWS itself.
    file_store: Literal["postgres", "s3"] = "postgres"
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = Field(default=None, validate_default=True)
    s3_region: str = "us-east-1"
    # Keys are <s3_prefix><organisation_id>/<version_id>; a prefix lets a bucket be shared.
    s3_prefix: str = ""
    # Connecting to or reading from the store gives up after this (then 503).
    s3_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("s3_bucket")
    @classmethod
    def _bucket_for_s3(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("file_store") == "s3" and not value:
            raise ValueError("POLICYGOV_FILE_STORE=s3 needs POLICYGOV_S3_BUCKET, the bucket to use")
        return value or None

    @field_validator("s3_endpoint_url")
    @classmethod
    def _blank_endpoint_is_aws(cls, value: str | None) -> str | None:
        return value or None  # set and empty (compose, .env): AWS S3 itself

    # Heavy work (reading an uploaded file's text, comparing two versions, reading a tracker to
    # import) runs in a child process killed after heavy_time_limit_seconds and limited to
    # heavy_memory_bytes of address space; at most heavy_concurrency at once per API process.
    # A docx or xlsx (a zip package) may unpack to at most max_unpacked_bytes, and at most
    # max_compression_ratio times its packed size. Beyond a bound: 413 or 422, never a 500.
    heavy_time_limit_seconds: float = Field(default=30.0, gt=0)
    heavy_memory_bytes: int = Field(default=1024 * 1024 * 1024, ge=256 * 1024 * 1024)
    heavy_concurrency: int = Field(default=2, ge=1)
    max_unpacked_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    max_compression_ratio: int = Field(default=100, ge=1)
    # A Tri.x amendment pack (an update cycle's or a month's) holds at most this many documents,
    # and the versions it compares at most this many characters of text between them (422).
    amendment_pack_max_documents: int = Field(default=200, ge=1)
    amendment_pack_max_text_chars: int = Field(default=4_000_000, ge=1)

    # Optional OIDC bearer tokens, alongside API keys.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_email_claim: str = "email"
    oidc_roles_claim: str = "roles"
    oidc_organisation_claim: str = "org"
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_jwks_cache_seconds: int = 300

    # Idempotency keys are kept this long; an in-flight key older than the lease is taken over.
    idempotency_ttl_hours: int = 24
    idempotency_lease_seconds: int = 60

    # Retention: the notifier's daily prune deletes, this many days after they were created,
    # published outbox events, finished webhook deliveries and finished emails that are about
    # no document. Emails about a document are kept, whatever their age: they are its paper
    # trail (the timeline and the FOI export read them), and a review's overdue notice would
    # be sent again if its row went. Idempotency records go once past idempotency_ttl_hours.
    # The audit log is never pruned.
    retention_outbox_days: int = Field(default=90, ge=1)
    retention_notification_days: int = Field(default=90, ge=1)
    retention_delivery_days: int = Field(default=90, ge=1)
    # Rows deleted per transaction: short transactions, short locks.
    retention_batch_size: int = Field(default=1000, ge=1, le=100_000)

    # Email: "file" writes one .eml per message under mail_dir; "smtp" sends through smtp_*.
    mail_backend: Literal["file", "smtp"] = "file"
    mail_dir: Path = Path("var/mail")
    mail_from: str = "policygov@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_implicit_tls: bool = False
    smtp_timeout_seconds: float = 30.0

    # Notifier: the relay polls the outbox this often even when no NOTIFY arrives.
    relay_poll_seconds: float = 5.0
    # A claimed notification or delivery not finished within this is tried again.
    send_lease_seconds: int = 120
    # A row due this long and still not sent is queued again (the queue may have lost it);
    # sooner, its job is most likely still queued, and queuing it again would only add work.
    requeue_after_seconds: float = Field(default=30.0, ge=0)
    # First retry delay of a transient email failure; doubles each time, capped at six hours.
    email_retry_base_seconds: float = 30.0
    # Jobs one worker runs at once.
    notifier_max_jobs: int = 10
    # Redis or PostgreSQL unavailable: the notifier tries again after a delay that doubles from
    # the base up to the cap, with jitter, so that many workers do not retry in step.
    notifier_backoff_base_seconds: float = 0.5
    notifier_backoff_cap_seconds: float = 30.0
    # The notifier checks its dependencies this often and publishes its health, to Redis (read
    # by /readyz) and to this file (read by `policygov notifier health`, and there when Redis
    # is the thing that is down).
    notifier_health_seconds: float = 5.0
    notifier_health_file: Path = Path("var/notifier-health.json")
    # Review reminders: days before the due date; escalation months after it (Dorset: two).
    review_reminder_days: list[int] = Field(default_factory=lambda: [30, 7])
    review_escalation_months: int = 2
    # Consultations: default reminder lead times (calendar days before the close), and how long
    # after the close an external consultee's link still takes a (late) response.
    consultation_reminder_days: list[int] = Field(default_factory=lambda: [7, 2])
    consultation_link_grace_days: int = 28

    # Webhooks: receivers on private or loopback addresses are refused unless listed here
    # (host names, IP addresses or CIDR ranges; intranet receivers are common).
    # Comma-separated like the other lists of names, or the JSON list documented before.
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_timeout_seconds: float = 15.0
    # Statutory sources' Atom feeds (NCT 3.2: changes in legislation or statutory guidance):
    # read through the same checked client, so feeds on private or loopback addresses are
    # refused unless listed here (allowed apart from webhook receivers). Each read is bounded:
    # its time, its size and the entries read from it.
    source_feed_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    source_feed_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    source_feed_max_bytes: int = Field(default=1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    source_feed_max_entries: int = Field(default=100, ge=1, le=1000)

    @field_validator("secret_key_previous", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("webhook_allowed_hosts", "source_feed_allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().startswith("["):
            return json.loads(value)
        return cls._comma_separated(value)

    @field_validator("public_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(
                "an absolute http(s) address without a query, such as "
                "https://intranet.example.org/policygov"
            )
        return value.rstrip("/")

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        origins = []
        for origin in value:
            parts = urlsplit(origin.rstrip("/"))
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise ValueError(
                    f"{origin!r} is not an origin such as https://intranet.example.org"
                )
            origins.append(origin.rstrip("/"))
        return origins

    @property
    def keyring(self) -> Keyring:
        """The keys to sign and verify with; MissingSecretKey when secret_key is not set."""
        return Keyring(self.secret_key or "", tuple(self.secret_key_previous))

    @property
    def heavy_limits(self) -> HeavyLimits:
        return HeavyLimits(
            time_seconds=self.heavy_time_limit_seconds,
            memory_bytes=self.heavy_memory_bytes,
            concurrency=self.heavy_concurrency,
            max_unpacked_bytes=self.max_unpacked_bytes,
            max_compression_ratio=self.max_compression_ratio,
        )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
