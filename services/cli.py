"""The ``policygov`` command: set-up, demo data, and running the services."""

from __future__ import annotations

import argparse
import os
import sys
import typing
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from services.domain import reactions
from services.domain.db import is_unavailable
from services.domain.errors import DomainError
from services.domain.models.people import ROLES
from services.domain.settings import get_settings
from services.domain.tokens import MissingSecretKey
from services.ops.database import ROOT, check_migrations, migrate
from services.ops.files import move_files_command
from services.ops.orphan_files import prune_files_command
from services.ops.processes import (
    MetricsPortTaken,
    notifier_health,
    notifier_prune,
    notifier_sweep,
    run_all,
    serve,
    worker,
)
from services.ops.register import (
    create_api_key,
    create_org,
    import_tracker,
    seed_demo,
    verify_audit,
)

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


def _parser() -> _Parser:
    """The command line: every command, its options and its help."""
    parser = _Parser(
        prog="policygov",
        description=__doc__,
        epilog=f"Exit status {EXIT_REFUSED}: the input was refused (an unknown organisation or "
        f"role, a slug already taken); {EXIT_NO_DATABASE}: the database cannot be reached.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_migrate_command(sub)
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
    _add_file_commands(sub)
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
    _add_notifier_commands(sub)
    return parser


def _add_migrate_command(sub: Any) -> None:
    """``policygov migrate [--check [--wait SECONDS]]``."""
    p = sub.add_parser("migrate", help="create the database if needed and apply migrations")
    p.add_argument(
        "--check",
        action="store_true",
        help="apply nothing; exit 0 if this release may run on the schema (at or past its "
        "newest migration), 1 if it is behind",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="with --check: keep checking (every 5 s) for up to SECONDS until it may",
    )


def _add_file_commands(sub: Any) -> None:
    """``policygov move-files`` and ``prune-files``: where version files live."""
    p = sub.add_parser(
        "move-files",
        help="move version files to another store, each verified against its recorded sha256",
    )
    p.add_argument("--to", required=True, choices=("s3", "postgres"), help="the target store")
    p.add_argument("--organisation", "--org", help="only this organisation's files (its slug)")
    p.add_argument("--batch", type=int, default=100, help="files read per query (default 100)")
    p.add_argument("--dry-run", action="store_true", help="count what would move; move nothing")
    p = sub.add_parser(
        "prune-files", help="delete the objects of the S3 store that no version names"
    )
    p.add_argument(
        "--older-than-hours",
        type=float,
        default=24,
        help="only objects written longer ago than this (default 24)",
    )
    p.add_argument("--dry-run", action="store_true", help="list them; delete nothing")


def _add_notifier_commands(sub: Any) -> None:
    """``policygov notifier sweep|prune|health``: the notifier's one-off operations."""
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
    p = notifier_sub.add_parser(
        "health", help="the notifier's health: exit 0 ok, 1 degraded, 2 not reporting"
    )
    p.add_argument(
        "--alive",
        action="store_true",
        help="exit 0 while it reports, degraded or not (a liveness probe: a restart mends a "
        "silent notifier, not a PostgreSQL or Redis outage)",
    )


def main(argv: list[str] | None = None) -> int:
    reactions.install()
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (MissingSecretKey, MetricsPortTaken) as missing:
        print(f"policygov {args.command}: {missing}", file=sys.stderr)
        return EXIT_REFUSED
    except ValidationError as invalid:  # a setting out of its bounds, or settings at odds
        reasons = "; ".join(
            f"POLICYGOV_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in invalid.errors()
        )
        print(f"policygov {args.command}: invalid settings: {reasons}", file=sys.stderr)
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
    if args.command == "migrate" and args.check:
        return check_migrations(args.wait)
    elif args.command == "migrate":
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
    elif args.command == "move-files":
        return move_files_command(args.to, args.organisation, args.batch, args.dry_run)
    elif args.command == "prune-files":
        return prune_files_command(args.older_than_hours, args.dry_run)
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
        return notifier_health(alive=args.alive)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
