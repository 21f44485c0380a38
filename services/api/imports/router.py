"""Moving in (`/v1/imports`): an existing review tracker, as CSV or XLSX, into the register."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import File, Form, Query, Response, UploadFile
from pydantic import TypeAdapter

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.imports import schemas
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz import reviews as reviews_authz
from services.domain.authz.permissions import Permission as P
from services.domain.errors import PayloadTooLarge
from services.domain.imports import jobs, tracker
from services.domain.imports import sheet as sheets
from services.domain.models.imports import TrackerImport

SERIALISE_SLICE = 2000
_ACTIONS = TypeAdapter(list[schemas.ImportRowAction])
_PROBLEMS = TypeAdapter(list[schemas.ImportProblem])

router = Router(prefix="/v1/imports", tags=["imports"])


TrackerFile = Annotated[
    UploadFile,
    File(
        description="The tracker: CSV (UTF-8 or Windows-1252) or XLSX (its first sheet), "
        "with a header row naming reference, title, kind, service area, RO email, "
        "RSM email, last reviewed, next review due and Trix URL."
    ),
]
InBackground = Annotated[
    bool,
    Query(
        description="Answer at once (202) and import in the background: for big trackers "
        "(50,000 rows take under a minute). GET the Location for progress and the report."
    ),
]


@router.post(
    "",
    response_model=schemas.ImportReport,
    responses={
        202: {
            "model": schemas.ImportJob,
            "description": "With background=true: the import, queued; follow its Location.",
        }
    },
    dependencies=[allowed(P.TRACKER_IMPORT)],
)
async def import_tracker(
    file: TrackerFile,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    dry_run: Annotated[bool, Query(description="Check and report; write nothing.")] = False,
    dry_run_form: Annotated[
        bool, Form(alias="dry_run", description="The same as the query parameter.")
    ] = False,
    background: InBackground = False,
    background_form: Annotated[
        bool, Form(alias="background", description="The same as the query parameter.")
    ] = False,
) -> Response:
    """Import a tracker, all or nothing (admins and policy officers).

    Every row and column is checked first. With any problem nothing is written and the answer is
    a 422 problem whose `problems` member lists each one by row and column. A dry run answers
    the same report, problems included, and writes nothing. New documents with a Trix URL or a
    last review date are registered as published (they are live already), others as drafts.

    With `background=true` the answer is 202 with the import's progress (`GET
    /v1/imports/{id}`, its Location); problems are then in the finished import's report.
    """
    reviews_authz.check_import(principal)  # before reading a stranger's file
    content = await file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"The file is larger than {settings.max_upload_bytes} bytes.")
    filename = file.filename or "tracker.csv"
    if background or background_form:
        sheets.check_readable(filename, content)
        job = await jobs.request_import(
            session, principal, filename=filename, content=content, dry_run=dry_run or dry_run_form
        )
        return Response(
            _job(job).model_dump_json().encode(),
            status_code=202,
            media_type="application/json",
            headers={"Location": f"/v1/imports/{job.id}"},
        )
    report = await tracker.import_tracker(
        session,
        principal,
        await sheets.read_sheet_bounded(filename, content, settings.heavy_limits),
        filename=filename,
        dry_run=dry_run or dry_run_form,
    )
    return await _report_response(report)


@router.get(
    "/{import_id}",
    response_model=schemas.ImportJob,
    dependencies=[allowed(P.TRACKER_IMPORT)],
)
async def get_import(
    import_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """A background import: its status and progress, and once finished its report."""
    job, report = await jobs.get_import(session, principal, import_id)
    head = _job(job).model_dump_json(exclude={"report"})[:-1].encode()
    # The stored report as it is: 50,000 rows' actions are not parsed to be written again.
    return Response(
        head + b',"report":' + (report or "null").encode() + b"}",
        media_type="application/json",
    )


def _job(job: TrackerImport) -> schemas.ImportJob:
    # The columns but the file and the report (both deferred: not read for this).
    return schemas.ImportJob.model_validate({**job.__dict__, "report": None})


async def _report_response(report: tracker.ImportReport) -> Response:
    """The report as JSON, written a slice of rows at a time: 100,000 rows serialised at once
    hold the event loop for seconds (every other request waits), in slices for milliseconds."""
    head = schemas.ImportReport(
        dry_run=report.dry_run,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        actions=[],
        problems=[],
        ignored_columns=report.ignored_columns,
    )
    parts = [
        head.model_dump_json(exclude={"actions", "problems"})[:-1].encode(),
        b',"actions":' + await _json_list(report.actions, _ACTIONS),
        b',"problems":' + await _json_list(report.problems, _PROBLEMS),
    ]
    return Response(b"".join(parts) + b"}", media_type="application/json")


async def _json_list(items: Sequence[Any], adapter: TypeAdapter[Any]) -> bytes:
    slices = []
    for start in range(0, len(items), SERIALISE_SLICE):
        chunk = adapter.validate_python(
            items[start : start + SERIALISE_SLICE], from_attributes=True
        )
        slices.append(adapter.dump_json(chunk)[1:-1])
        await asyncio.sleep(0)
    return b"[" + b",".join(s for s in slices if s) + b"]"
