"""Tracker imports in the background: asked for over HTTP, run by the notifier's worker.

The request stores the file and an outbox event in one transaction; the relay queues the job
and the sweep queues it again if the queue lost it. The worker claims the import (one worker at
a time), runs the same all-or-nothing import as the synchronous route, and records progress as
it goes from a side connection, so ``GET /v1/imports/{id}`` can show it. The import and its
"succeeded" are committed together; a worker that stops mid-way leaves nothing written, and the
import is taken up again once its heartbeat is old.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, cast, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain import events
from services.domain.authz import reviews as reviews_authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import DomainError, NotFound
from services.domain.heavy_work import HeavyLimits
from services.domain.models.imports import ImportStatus, TrackerImport
from services.domain.outbox.service import emit

if TYPE_CHECKING:
    from services.domain.imports.tracker import ImportReport

logger = logging.getLogger(__name__)
# A running import records its progress this often; one whose heartbeat is older than STALE
# belongs to a worker that stopped, and is run again (at most MAX_ATTEMPTS times in all).
PROGRESS_EVERY_SECONDS = 1.0
STALE = timedelta(minutes=2)
MAX_ATTEMPTS = 3


async def request_import(
    session: AsyncSession, principal: Principal, *, filename: str, content: bytes, dry_run: bool
) -> TrackerImport:
    """Keep the file for the worker and ask for its import (admins and policy officers)."""
    reviews_authz.check_import(principal)
    kept = principal.kept()
    job = TrackerImport(
        organisation_id=principal.organisation_id,
        filename=filename[:300],
        dry_run=dry_run,
        person_id=kept["person_id"],
        api_key_id=kept["api_key_id"],
        actor_label=kept["label"][:320],
        roles=kept["roles"],
        person_roles=kept["person_roles"],
        content=content,
        status=ImportStatus.QUEUED,
        phase=None,
        done=0,
        total=None,
        attempts=0,
        error=None,
        created_at=utcnow(),
        started_at=None,
        heartbeat_at=utcnow(),
        finished_at=None,
    )
    session.add(job)
    await session.flush()
    await emit(
        session,
        events.TrackerImportRequested(
            organisation_id=principal.organisation_id,
            import_id=job.id,
            filename=job.filename,
            dry_run=dry_run,
        ),
    )
    return job


async def get_import(
    session: AsyncSession, principal: Principal, import_id: uuid.UUID
) -> tuple[TrackerImport, str | None]:
    """An import of the caller's organisation and its report as JSON text (None until it has
    finished); other organisations' ids are NotFound too."""
    reviews_authz.check_import(principal)
    found = (
        await session.execute(
            select(TrackerImport, cast(TrackerImport.report, Text)).where(
                TrackerImport.id == import_id,
                TrackerImport.organisation_id == principal.organisation_id,
            )
        )
    ).one_or_none()
    if found is None:
        raise NotFound("No such import.")
    return found[0], found[1]


async def unfinished(session: AsyncSession) -> list[tuple[uuid.UUID, int]]:
    """Imports waiting for a worker, or left by one that stopped: (id, attempts), for the
    sweep to queue again."""
    rows = await session.execute(
        select(TrackerImport.id, TrackerImport.attempts).where(_claimable(utcnow()))
    )
    return [(import_id, attempts) for import_id, attempts in rows]


def _claimable(now: Any) -> Any:
    return or_(
        TrackerImport.status == ImportStatus.QUEUED,
        (TrackerImport.status == ImportStatus.RUNNING) & (TrackerImport.heartbeat_at < now - STALE),
    )


class _Progress:
    """What the import reports (tracker.Progress), kept for the side connection to store."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.done = 0
        self.total: int | None = None

    def start(self, phase: str, total: int) -> None:
        self.phase, self.done, self.total = phase, 0, total

    def advance(self, rows: int = 1) -> None:
        self.done += rows


async def run_import(
    sessionmaker: async_sessionmaker[AsyncSession], limits: HeavyLimits, import_id: uuid.UUID
) -> str:
    """Run one import if it is still to run; what happened, in a word (for the job's log)."""
    # Loaded here, not by every process that only asks which imports are unfinished (the
    # notifier's relay): the tracker's readers and writers take a third of a second to import,
    # counted in every worker's start.
    from services.domain.imports import tracker

    claimed = await _claim(sessionmaker, import_id)
    if claimed is None:
        return "not waiting"  # done already, or another worker has it: a repeated job
    if claimed.attempts > MAX_ATTEMPTS:
        await _finish(
            sessionmaker,
            import_id,
            ImportStatus.FAILED,
            _Progress(),
            error=f"The import stopped before the end {MAX_ATTEMPTS} times; nothing was "
            "imported. Try a smaller file, or ask your administrator to look at the logs.",
        )
        return ImportStatus.FAILED
    progress = _Progress()
    recorder = asyncio.create_task(_record_progress(sessionmaker, import_id, progress))
    outcome: ImportStatus
    try:
        outcome = await _import(sessionmaker, limits, claimed, progress)
    except tracker.TrackerRejected as rejected:
        outcome = ImportStatus.REJECTED
        report = report_json(rejected.report)
        await _finish(sessionmaker, import_id, outcome, progress, report=report)
    except DomainError as refused:
        # The file cannot be read at all (an old .xls, a workbook that unpacks too far).
        outcome = ImportStatus.REJECTED
        await _finish(sessionmaker, import_id, outcome, progress, error=str(refused))
    except Exception:
        logger.exception("tracker import %s failed", import_id)
        outcome = ImportStatus.FAILED
        await _finish(
            sessionmaker,
            import_id,
            outcome,
            progress,
            error="The import failed on our side; nothing was imported. Ask your administrator "
            "to look at the notifier's log.",
        )
    finally:
        recorder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recorder
    return outcome


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], import_id: uuid.UUID
) -> TrackerImport | None:
    now = utcnow()
    async with sessionmaker() as session, session.begin():
        return (
            await session.execute(
                update(TrackerImport)
                .where(TrackerImport.id == import_id, _claimable(now))
                .values(
                    status=ImportStatus.RUNNING,
                    started_at=now,
                    heartbeat_at=now,
                    attempts=TrackerImport.attempts + 1,
                )
                .returning(TrackerImport)
            )
        ).scalar_one_or_none()


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession],
    limits: HeavyLimits,
    job: TrackerImport,
    progress: _Progress,
) -> ImportStatus:
    kept = {
        "person_id": job.person_id,
        "api_key_id": job.api_key_id,
        "label": job.actor_label,
        "roles": job.roles,
        "person_roles": job.person_roles,
    }
    from services.domain.imports import sheet as sheets
    from services.domain.imports import tracker  # see run_import

    principal = Principal.again(job.organisation_id, kept)
    async with sessionmaker() as session, session.begin():
        content = await session.scalar(
            select(TrackerImport.content).where(TrackerImport.id == job.id)
        )
        sheet = await sheets.read_sheet_bounded(job.filename, content or b"", limits)
        report = await tracker.import_tracker(
            session,
            principal,
            sheet,
            filename=job.filename,
            dry_run=job.dry_run,
            progress=progress,
        )
        # In the import's own transaction: the documents and "succeeded" are kept together.
        await session.execute(
            update(TrackerImport)
            .where(TrackerImport.id == job.id)
            .values(**_finished(ImportStatus.SUCCEEDED, progress, report=report_json(report)))
        )
    return ImportStatus.SUCCEEDED


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    import_id: uuid.UUID,
    status: ImportStatus,
    progress: _Progress,
    *,
    report: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(TrackerImport)
            .where(TrackerImport.id == import_id)
            .values(**_finished(status, progress, report=report, error=error))
        )


def _finished(
    status: ImportStatus,
    progress: _Progress,
    *,
    report: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    now = utcnow()
    # The file goes once the import has finished: the report says what was in it.
    return {
        "phase": progress.phase,
        "done": progress.done,
        "total": progress.total,
        "status": status,
        "report": report,
        "error": error,
        "finished_at": now,
        "heartbeat_at": now,
        "content": None,
    }


async def _record_progress(
    sessionmaker: async_sessionmaker[AsyncSession], import_id: uuid.UUID, progress: _Progress
) -> None:
    """Store the progress (and so the heartbeat) every PROGRESS_EVERY_SECONDS, in transactions
    of its own: the import's is not committed until the end."""
    while True:
        await asyncio.sleep(PROGRESS_EVERY_SECONDS)
        try:
            async with sessionmaker() as session, session.begin():
                await session.execute(
                    update(TrackerImport)
                    .where(
                        TrackerImport.id == import_id, TrackerImport.status == ImportStatus.RUNNING
                    )
                    .values(
                        phase=progress.phase,
                        done=progress.done,
                        total=progress.total,
                        heartbeat_at=utcnow(),
                    )
                )
        except Exception as exc:  # progress is a courtesy: the import goes on without it
            logger.warning("tracker import %s: progress not recorded: %s", import_id, exc)


def report_json(report: ImportReport) -> dict[str, Any]:
    """The report as the synchronous route answers it (services.api.imports.schemas)."""
    return {
        "dry_run": report.dry_run,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "actions": [asdict(a) for a in report.actions],
        "problems": [asdict(p) for p in report.problems],
        "ignored_columns": report.ignored_columns,
    }
