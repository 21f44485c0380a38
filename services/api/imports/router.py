"""Moving in (`/v1/imports`): an existing review tracker, as CSV or XLSX, into the register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.imports import schemas
from services.api.permissions import allowed
from services.domain.authz import reviews as reviews_authz
from services.domain.authz.permissions import Permission as P
from services.domain.errors import PayloadTooLarge
from services.domain.imports import sheet as sheets
from services.domain.imports import tracker

router = APIRouter(prefix="/v1/imports", tags=["imports"])


@router.post("", response_model=schemas.ImportReport, dependencies=[allowed(P.TRACKER_IMPORT)])
async def import_tracker(
    file: Annotated[
        UploadFile,
        File(
            description="The tracker: CSV (UTF-8 or Windows-1252) or XLSX (its first sheet), "
            "with a header row naming reference, title, kind, service area, RO email, "
            "RSM email, last reviewed, next review due and Trix URL."
        ),
    ],
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    dry_run: Annotated[bool, Query(description="Check and report; write nothing.")] = False,
    dry_run_form: Annotated[
        bool, Form(alias="dry_run", description="The same as the query parameter.")
    ] = False,
) -> schemas.ImportReport:
    """Import a tracker, all or nothing (admins and policy officers).

    Every row and column is checked first. With any problem nothing is written and the answer is
    a 422 problem whose `problems` member lists each one by row and column. A dry run answers
    the same report, problems included, and writes nothing. New documents with a Trix URL or a
    last review date are registered as published (they are live already), others as drafts.
    """
    reviews_authz.check_import(principal)  # before reading a stranger's file
    content = await file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"The file is larger than {settings.max_upload_bytes} bytes.")
    filename = file.filename or "tracker.csv"
    report = await tracker.import_tracker(
        session,
        principal,
        await sheets.read_sheet_bounded(filename, content, settings.heavy_limits),
        filename=filename,
        dry_run=dry_run or dry_run_form,
    )
    return schemas.ImportReport.model_validate(report)
