"""The commands that change the register: organisations, keys, the demo, the audit check and
tracker imports."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.settings import get_settings
from services.ops.database import in_transaction


def create_org(slug: str, name: str) -> None:
    from services.domain.organisations import service

    async def work(session: AsyncSession) -> None:
        org = await service.create_organisation(session, slug=slug, name=name)
        print(f"created organisation {org.slug} ({org.id})")

    asyncio.run(in_transaction(work))


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

    secret = asyncio.run(in_transaction(work))
    print(f"API key for {slug} with role {role} (shown once; store it now):", file=sys.stderr)
    print(secret)


def seed_demo(keys_file: Path) -> None:
    """Load the demo organisations, then print an admin API key for each (reused across runs)."""
    from services.domain.access import service as access
    from services.domain.clock import london_today
    from services.domain.demo.loader import load_data, seed_organisation
    from services.domain.documents.review_dates import ReviewRules
    from services.domain.errors import Unauthenticated
    from services.domain.organisations import service as organisations
    from services.domain.people import service as people
    from services.domain.tracker import snapshots

    data = load_data()
    saved: dict[str, str] = json.loads(keys_file.read_text()) if keys_file.exists() else {}

    async def work(session: AsyncSession) -> dict[str, str]:
        keys: dict[str, str] = {}
        for spec in data["organisations"]:
            counts = await seed_organisation(session, spec)
            org = await organisations.get_by_slug(session, spec["slug"])
            # Weeks of RAG snapshots, so the tracker's trend chart has something to show.
            counts["tracker_snapshots"] = await snapshots.take_history(
                session, org.id, london_today(), ReviewRules()
            )
            created = ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "nothing new"
            print(f"{spec['slug']:8} {created}")
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

    keys = asyncio.run(in_transaction(work))
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

    result: int = asyncio.run(in_transaction(work))
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
        report: tracker.ImportReport = asyncio.run(in_transaction(work))
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
