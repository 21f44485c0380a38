"""The ``policygov`` command: set-up, demo data, and running the services."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging.config
import os
import sys
import typing
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import reactions
from services.domain.db import is_unavailable
from services.domain.errors import DomainError
from services.domain.models.people import ROLES
from services.domain.settings import get_settings
from services.domain.tokens import MissingSecretKey
from services.logs import logging_config

ROOT = Path(__file__).resolve().parent.parent

# Exit statuses a script can act on (argparse already uses 2 for a malformed command line).
EXIT_REFUSED = 2  # the input names something unknown or breaks a rule: fix it, then run again
EXIT_NO_DATABASE = 3  # PostgreSQL cannot be reached or refuses us: the same command may work later

# PostgreSQL answered, but not to us: a wrong password, user or database name.
_DATABASE_REFUSED = (
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policygov")
    except PackageNotFoundError:  # run from a checkout that was never installed
        import tomllib

        return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def _database_failure(exc: BaseException) -> str | None:
    """What is wrong with the database connection, if that is why ``exc`` was raised."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _DATABASE_REFUSED):
            return str(current).splitlines()[0]
        current = current.orig if isinstance(current, DBAPIError) else current.__cause__
    if is_unavailable(exc):
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


class _Parser(argparse.ArgumentParser):
    """Command-line mistakes in one line, like every other refusal of this command."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist; True if it was created."""
    name = make_url(url).database
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(url))
        await conn.close()
        return False
    except asyncpg.InvalidCatalogNameError:
        pass
    conn = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:
        return False
    finally:
        await conn.close()
    return True


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest migration (creating the database if needed)."""
    from alembic import command
    from alembic.config import Config

    url = url or get_settings().database_url
    if asyncio.run(ensure_database(url)):
        print(f"created database {make_url(url).database}")
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    print("database is at the newest migration")


async def _in_transaction(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    from services.domain.db import make_engine, make_sessionmaker

    engine = make_engine(get_settings().database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def create_org(slug: str, name: str) -> None:
    from services.domain.organisations import service

    async def work(session: AsyncSession) -> None:
        org = await service.create_organisation(session, slug=slug, name=name)
        print(f"created organisation {org.slug} ({org.id})")

    asyncio.run(_in_transaction(work))


def create_api_key(slug: str, role: str, name: str, email: str | None) -> None:
    from services.domain.access import service as access
    from services.domain.organisations import service as organisations
    from services.domain.people import service as people

    async def work(session: AsyncSession) -> str:
        org = await organisations.get_by_slug(session, slug)
        person_id = None
        if email:
            person = await people.find_by_email(session, org.id, email)
            if person is None:
                raise SystemExit(f"no person {email} in {slug}")
            person_id = person.id
        issued = await access.create_api_key(
            session, None, organisation_id=org.id, role=role, name=name, person_id=person_id
        )
        return issued.secret

    secret = asyncio.run(_in_transaction(work))
    print(f"API key for {slug} with role {role} (shown once; store it now):", file=sys.stderr)
    print(secret)


def seed_demo(keys_file: Path) -> None:
    """Load the demo organisations, then print an admin API key for each (reused across runs)."""
    from services.domain.access import service as access
    from services.domain.demo.loader import load_data, seed_organisation
    from services.domain.errors import Unauthenticated
    from services.domain.organisations import service as organisations
    from services.domain.people import service as people

    data = load_data()
    saved: dict[str, str] = json.loads(keys_file.read_text()) if keys_file.exists() else {}

    async def work(session: AsyncSession) -> dict[str, str]:
        keys: dict[str, str] = {}
        for spec in data["organisations"]:
            counts = await seed_organisation(session, spec)
            created = ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "nothing new"
            print(f"{spec['slug']:8} {created}")
            org = await organisations.get_by_slug(session, spec["slug"])
            secret = saved.get(spec["slug"])
            if secret:
                try:
                    principal = await access.authenticate_api_key(session, secret)
                    if principal.organisation_id == org.id and "admin" in principal.roles:
                        keys[spec["slug"]] = secret
                        continue
                except Unauthenticated:
                    pass
            admin_email = next(p["email"] for p in spec["people"] if "admin" in p["roles"])
            admin = await people.find_by_email(session, org.id, admin_email)
            assert admin is not None
            issued = await access.create_api_key(
                session,
                None,
                organisation_id=org.id,
                role="admin",
                name="demo admin key (seed-demo)",
                person_id=admin.id,
            )
            keys[spec["slug"]] = issued.secret
        return keys

    keys = asyncio.run(_in_transaction(work))
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    keys_file.write_text(json.dumps(keys, indent=2))
    keys_file.chmod(0o600)
    print(f"\nDemo admin API keys (also in {keys_file}):")
    for slug, secret in keys.items():
        print(f"  {slug:8} {secret}")
    first = next(iter(keys.values()))
    print(
        "\nTry:  curl -H 'Authorization: Bearer "
        f"{first}' http://{get_settings().api_host}:{get_settings().api_port}/v1/documents"
    )


def verify_audit(slug: str | None) -> int:
    from sqlalchemy import select

    from services.domain.audit.service import verify_chain
    from services.domain.models.organisations import Organisation

    async def work(session: AsyncSession) -> int:
        query = select(Organisation).order_by(Organisation.slug)
        if slug:
            query = query.where(Organisation.slug == slug)
        orgs = list((await session.execute(query)).scalars())
        if not orgs:
            print(f"no organisation {slug!r}", file=sys.stderr)
            return 2
        broken = 0
        for org in orgs:
            verdict = await verify_chain(session, org.id)
            if verdict.is_intact:
                print(f"{org.slug}: intact ({verdict.records_checked} records)")
            else:
                broken += 1
                print(
                    f"{org.slug}: BROKEN at record {verdict.first_broken_seq}: {verdict.reason} "
                    f"({verdict.records_checked} records before it are intact)"
                )
        return 1 if broken else 0

    result: int = asyncio.run(_in_transaction(work))
    return result


class _Bar:
    """A tqdm progress bar on standard error for each phase of an import."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, phase: str, total: int) -> None:
        from tqdm import tqdm

        self.close()
        self._bar = tqdm(total=total, desc=phase, unit="row", file=sys.stderr)

    def advance(self, rows: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def import_tracker(path: Path, slug: str, dry_run: bool) -> int:
    """Import a tracker file for an organisation; exit 1 listing every problem if it has any."""
    from services.domain.authz.principal import Principal
    from services.domain.errors import DomainError
    from services.domain.imports import sheet as sheets
    from services.domain.imports import tracker
    from services.domain.organisations import service as organisations

    try:
        content = path.read_bytes()
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    bar = _Bar()

    async def work(session: AsyncSession) -> tracker.ImportReport:
        org = await organisations.get_by_slug(session, slug)
        # The command is run by whoever holds the database: it acts as the service itself.
        principal = Principal.system(org.id, "policygov import-tracker")
        return await tracker.import_tracker(
            session,
            principal,
            sheets.read_sheet(path.name, content, limits=get_settings().heavy_limits),
            filename=path.name,
            dry_run=dry_run,
            progress=bar,
        )

    try:
        report: tracker.ImportReport = asyncio.run(_in_transaction(work))
    except tracker.TrackerRejected as rejected:
        report = rejected.report
    except DomainError as error:
        bar.close()
        print(f"{path}: {error.detail}", file=sys.stderr)
        return 2
    bar.close()
    for problem in report.problems:
        column = f" [{problem.column}]" if problem.column else ""
        print(f"row {problem.row}{column}: {problem.message}")
    if report.ignored_columns:
        print(f"ignored columns: {', '.join(report.ignored_columns)}")
    verb = "would create" if dry_run else "created"
    summary = (
        f"{report.rows} rows: {verb} {report.created}, "
        f"{'would update' if dry_run else 'updated'} {report.updated}, "
        f"unchanged {report.unchanged}"
    )
    if report.problems:
        print(f"{len(report.problems)} problem(s); nothing was imported. ({summary})")
        return 1
    print(f"{summary}{' (dry run: nothing written)' if dry_run else ''}")
    return 0


def serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    settings = get_settings()
    settings.keyring  # noqa: B018  refuse to start, in one line, rather than in uvicorn's traceback
    uvicorn.run(
        "services.api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers or settings.api_workers,
        proxy_headers=True,
        log_config=logging_config(),
    )


def worker() -> None:
    """The notifier, until SIGTERM or Ctrl-C; Redis and PostgreSQL outages do not end it."""
    from services.notifier.worker import run_notifier, stop_on_signals

    logging.config.dictConfig(logging_config())
    get_settings().keyring  # noqa: B018  refuse to start before connecting to anything

    async def work() -> None:
        stopping = asyncio.Event()
        stop_on_signals(stopping)
        await run_notifier(get_settings(), stopping)

    asyncio.run(work())


def notifier_prune() -> int:
    """Run the retention prune once, now, and say how many rows went from each table."""
    from services.domain.db import make_engine, make_sessionmaker
    from services.notifier.sweeps import sweep_retention

    settings = get_settings()

    async def work() -> dict[str, int]:
        engine = make_engine(settings.database_url)
        try:
            return await sweep_retention(make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    pruned = asyncio.run(work())
    print("pruned: " + ", ".join(f"{name} {count}" for name, count in pruned.items()))
    return 0


def notifier_sweep() -> int:
    """Run every notifier sweep once, now: review notices, consultations opened, closed and
    chased, re-queue what is due, and generate the next twelve months of meetings."""
    from arq import create_pool
    from arq.connections import RedisSettings

    from services.domain.db import make_engine, make_sessionmaker
    from services.notifier.sweeps import sweep_all
    from services.notifier.transport import ArqTransport
    from services.notifier.worker import QUEUE_NAME, WorkerSettings

    settings = get_settings()

    async def work() -> int:
        engine = make_engine(settings.database_url)
        redis = await create_pool(
            RedisSettings.from_dsn(settings.redis_url),
            job_serializer=WorkerSettings.job_serializer,
            job_deserializer=WorkerSettings.job_deserializer,
            default_queue_name=QUEUE_NAME,
        )
        try:
            report = await sweep_all(make_sessionmaker(engine), settings, ArqTransport(redis))
        finally:
            await redis.aclose()
            await engine.dispose()
        print(
            f"review notices created: {report.review_notices}; queued again: "
            f"{report.requeued_notifications} notifications, "
            f"{report.requeued_deliveries} webhook deliveries; "
            f"meetings generated: {report.meetings_generated}; consultations opened: "
            f"{report.consultations_opened}, closed: {report.consultations_closed}, "
            f"reminders: {report.consultation_reminders}; update cycles closed: "
            f"{report.update_cycles_closed}, reminders: {report.update_cycle_reminders}"
        )
        return 0

    return asyncio.run(work())


def notifier_health() -> int:
    """Print the health the notifier last published to its file: 0 ok, 1 degraded, 2 silent."""
    from datetime import datetime

    from services.domain.db import utcnow
    from services.notifier.health import read_published

    settings = get_settings()
    published = read_published(settings.notifier_health_file)
    if published is None:
        print(f"not reporting: nothing in {settings.notifier_health_file}")
        return 2
    age = (utcnow() - datetime.fromisoformat(published["at"])).total_seconds()
    if age > max(3 * settings.notifier_health_seconds, 15):
        print(f"not reporting: last written {age:.0f} s ago")
        return 2
    print(json.dumps(published))
    return 0 if published["status"] == "ok" else 1


def use_local_secret(path: Path) -> None:
    """Sign with the key in ``path``, made once (random, readable by its owner only) and reused
    after, unless POLICYGOV_SECRET_KEY is set (in the environment or .env): a local install
    needs no manual step."""
    if get_settings().secret_key:
        return
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two starts at once make one key; 0600 from the start, never world-readable.
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            print(f"policygov run: made a secret key for this install in {path}", file=sys.stderr)
    os.environ["POLICYGOV_SECRET_KEY"] = path.read_text().strip()
    get_settings.cache_clear()


def run_all(local_secret: Path | None = None) -> int:
    """API and notifier together, for local use: a child that dies is started again (the API
    never stops because the notifier did); Ctrl-C (or SIGTERM) stops both."""
    from services.supervisor import supervise

    if local_secret is not None:
        use_local_secret(local_secret)
    get_settings().keyring  # noqa: B018  checked once here, not by children restarted forever
    return supervise(("worker", "serve"))


def main(argv: list[str] | None = None) -> int:
    reactions.install()
    parser = _Parser(
        prog="policygov",
        description=__doc__,
        epilog=f"Exit status {EXIT_REFUSED}: the input was refused (an unknown organisation or "
        f"role, a slug already taken); {EXIT_NO_DATABASE}: the database cannot be reached.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create the database if needed and apply migrations")
    p = sub.add_parser("create-org", help="create an organisation")
    p.add_argument("--slug", required=True)
    p.add_argument("--name", required=True)
    p = sub.add_parser("create-api-key", help="issue an API key; prints it alone on the last line")
    p.add_argument("--org", required=True, help="organisation slug")
    p.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        metavar="ROLE",
        help="what the key may do: " + ", ".join(ROLES),
    )
    p.add_argument("--name", default="created with the policygov CLI")
    p.add_argument("--email", help="the person the key acts for (default: a service account)")
    p = sub.add_parser("seed-demo", help="load the five demo organisations (idempotent)")
    p.add_argument("--keys-file", type=Path, default=Path("var/demo-keys.json"))
    p = sub.add_parser("verify-audit", help="check every organisation's audit hash chain")
    p.add_argument("--org", help="only this organisation")
    p = sub.add_parser(
        "import-tracker", help="import an existing review tracker (CSV or XLSX), all or nothing"
    )
    p.add_argument("file", type=Path)
    p.add_argument("--organisation", "--org", required=True, help="organisation slug")
    p.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    p = sub.add_parser("serve", help="run the API")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, help="processes (default: POLICYGOV_API_WORKERS, 2)")
    sub.add_parser("worker", help="run the notifier")
    p = sub.add_parser("run", help="run the API and the notifier together")
    p.add_argument(
        "--local-secret",
        type=Path,
        metavar="PATH",
        help="unless POLICYGOV_SECRET_KEY is set, sign with the key in PATH (made if missing)",
    )
    p = sub.add_parser("notifier", help="notifier operations")
    notifier_sub = p.add_subparsers(dest="notifier_command", required=True)
    p = notifier_sub.add_parser(
        "sweep", help="run the sweeps (review notices, consultations, re-queueing)"
    )
    p.add_argument("--once", action="store_true", required=True, help="run every sweep now, once")
    p = notifier_sub.add_parser(
        "prune", help="delete what has outlived its retention period (never the audit log)"
    )
    p.add_argument("--once", action="store_true", required=True, help="prune now, once")
    notifier_sub.add_parser(
        "health", help="the notifier's health: exit 0 ok, 1 degraded, 2 not reporting"
    )
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except MissingSecretKey as missing:
        print(f"policygov {args.command}: {missing}", file=sys.stderr)
        return EXIT_REFUSED
    except DomainError as refused:
        print(f"policygov {args.command}: {refused.detail}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:
        failure = _database_failure(exc)
        if failure is None:
            raise
        where = make_url(get_settings().database_url).render_as_string(hide_password=True)
        print(
            f"policygov {args.command}: cannot use the database at {where}: {failure}",
            file=sys.stderr,
        )
        return EXIT_NO_DATABASE


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "migrate":
        migrate()
    elif args.command == "create-org":
        create_org(args.slug, args.name)
    elif args.command == "create-api-key":
        create_api_key(args.org, args.role, args.name, args.email)
    elif args.command == "seed-demo":
        seed_demo(args.keys_file)
    elif args.command == "verify-audit":
        return verify_audit(args.org)
    elif args.command == "import-tracker":
        return import_tracker(args.file, args.organisation, args.dry_run)
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "worker":
        worker()
    elif args.command == "run":
        return run_all(args.local_secret)
    elif args.command == "notifier" and args.notifier_command == "sweep":
        return notifier_sweep()
    elif args.command == "notifier" and args.notifier_command == "prune":
        return notifier_prune()
    elif args.command == "notifier" and args.notifier_command == "health":
        return notifier_health()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
