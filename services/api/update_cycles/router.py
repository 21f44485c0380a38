"""Trix update cycles: open one from an Update Plan (JSON or CSV), record outcomes, close it
(pending items carried over to the next cycle) and report. At the deadline the notifier closes
it by itself."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Form, Query, Response, UploadFile

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import IsoDate, Name, text_field
from services.api.update_cycles import schemas
from services.domain.authz import reviews as reviews_authz
from services.domain.authz.permissions import Permission as P
from services.domain.errors import Invalid, PayloadTooLarge, PreconditionFailed
from services.domain.models.reviews import UpdateCycle, UpdateCycleItemStatus, UpdateCycleStatus
from services.domain.reviews import (
    update_cycle_closing,
    update_cycle_items,
    update_cycles,
    update_plan,
)
from services.domain.reviews.commands import CycleChange, ItemChange
from services.domain.reviews.update_cycle_report import cycle_report
from services.domain.reviews.update_plan import PlanItem

router = Router(tags=["update-cycles"])
CYCLES = "/v1/update-cycles"
ITEMS = "/v1/update-cycle-items"
AssignedTo = Annotated[
    Annotated[str, text_field(36, strip=False, pattern=r"^(me|[0-9a-fA-F-]{36})$")] | None,
    Query(
        description="`me`, or a person's id: the items assigned to them.",
    ),
]


def _out(cycle: UpdateCycle, response: Response) -> schemas.UpdateCycle:
    set_etag(response, cycle.row_version)
    return schemas.UpdateCycle.model_validate(cycle)


async def _opened(session: Session, cycle: UpdateCycle, response: Response) -> schemas.OpenedCycle:
    items = await update_cycles.list_items(session, cycle)
    set_etag(response, cycle.row_version)
    response.headers["Location"] = f"{CYCLES}/{cycle.id}"
    return schemas.OpenedCycle.model_validate(
        {
            **schemas.UpdateCycle.model_validate(cycle).model_dump(),
            "items": [schemas.UpdateCycleItem.model_validate(i) for i in items],
            "unassigned_item_ids": [i.id for i in items if i.assigned_to_id is None],
        }
    )


@router.get(CYCLES, response_model=schemas.UpdateCyclePage, dependencies=[allowed(P.TRACKER_READ)])
async def list_update_cycles(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: schemas.CycleStatus | None = None,
) -> schemas.UpdateCyclePage:
    """The organisation's update cycles, oldest first."""
    scope = {"status": status}
    after = page.after_time(scope)
    found = await update_cycles.list_cycles(
        session,
        principal,
        status=UpdateCycleStatus(status) if status else None,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.UpdateCyclePage(
        items=[schemas.UpdateCycle.model_validate(c) for c in found], next_cursor=next_cursor
    )


@router.post(
    CYCLES,
    status_code=201,
    response_model=schemas.OpenedCycle,
    dependencies=[allowed(P.UPDATE_CYCLES_MANAGE)],
)
async def open_update_cycle(
    body: schemas.UpdateCycleCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.OpenedCycle:
    """Open a cycle from an Update Plan given as items (policy team). Each item goes to the
    acting RO of the document its chapter names (by reference, any case, else exact title);
    the others are listed in `unassigned_item_ids` for the policy team to assign. Assignees
    are emailed their items and the deadline."""
    cycle = await update_cycles.open_cycle(
        session,
        principal,
        name=body.name,
        items=[PlanItem(i.chapter, i.recommendation) for i in body.items],
        submission_deadline=body.submission_deadline,
    )
    return await _opened(session, cycle, response)


@router.post(
    "/v1/update-plans",
    status_code=201,
    response_model=schemas.OpenedCycle,
    dependencies=[allowed(P.UPDATE_CYCLES_MANAGE)],
)
async def import_update_plan(
    file: Annotated[
        UploadFile,
        File(description="CSV with a chapter column and a recommendation column (header row)."),
    ],
    name: Annotated[Name, Form()],
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    submission_deadline: Annotated[IsoDate | None, Form()] = None,
) -> schemas.OpenedCycle:
    """Open a cycle from an Update Plan saved as CSV (policy team), as `POST /v1/update-cycles`
    does from items. A bad row is refused with its row number; nothing is opened then. (Not
    under /v1/update-cycles/, where a segment is a cycle's id.)"""
    reviews_authz.check_manage_cycles(principal)
    content = await file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise PayloadTooLarge("The file is too large.")
    cycle = await update_cycles.open_cycle(
        session,
        principal,
        name=name,
        items=update_plan.read_csv(content),
        submission_deadline=submission_deadline,
    )
    return await _opened(session, cycle, response)


@router.get(
    f"{CYCLES}/{{cycle_id}}",
    response_model=schemas.UpdateCycle,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_update_cycle(
    cycle_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.UpdateCycle:
    """One update cycle."""
    return _out(await update_cycles.get_cycle(session, principal, cycle_id), response)


@router.patch(
    f"{CYCLES}/{{cycle_id}}",
    response_model=schemas.UpdateCycle,
    dependencies=[allowed(P.UPDATE_CYCLES_MANAGE)],
)
async def update_update_cycle(
    cycle_id: uuid.UUID,
    body: schemas.UpdateCycleUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.UpdateCycle:
    """Rename an open cycle or move its deadline (policy team). Needs `If-Match`."""
    cycle = await update_cycles.get_cycle(session, principal, cycle_id, for_update=True)
    reviews_authz.check_manage_cycles(principal)
    if cycle.row_version != expected_version(if_match):
        raise PreconditionFailed("The cycle changed since you read it: read it again.")
    change = CycleChange.of(body.model_dump(exclude_unset=True))
    return _out(await update_cycles.update_cycle(session, principal, cycle, change), response)


@router.get(
    f"{CYCLES}/{{cycle_id}}/items",
    response_model=list[schemas.UpdateCycleItem],
    dependencies=[allowed(P.TRACKER_READ)],
)
async def list_update_cycle_items(
    cycle_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    status: schemas.ItemStatus | None = None,
    assigned_to_id: AssignedTo = None,
    unassigned: Annotated[
        bool, Query(description="true: only the items nobody is assigned.")
    ] = False,
) -> list[schemas.UpdateCycleItem]:
    """A cycle's items in the order of the Update Plan; `assigned_to_id=me` for your own."""
    cycle = await update_cycles.get_cycle(session, principal, cycle_id)
    person_id = None
    if assigned_to_id == "me":
        if principal.person_id is None:
            raise Invalid("This key acts for no person: name one.", field="assigned_to_id")
        person_id = principal.person_id
    elif assigned_to_id:
        try:
            person_id = uuid.UUID(assigned_to_id)
        except ValueError:
            raise Invalid("Not a person's id.", field="assigned_to_id") from None
    items = await update_cycles.list_items(
        session,
        cycle,
        status=UpdateCycleItemStatus(status) if status else None,
        assigned_to_id=person_id,
        unassigned=unassigned,
    )
    return [schemas.UpdateCycleItem.model_validate(i) for i in items]


@router.post(
    f"{CYCLES}/{{cycle_id}}/close",
    response_model=schemas.UpdateCycle,
    dependencies=[allowed(P.UPDATE_CYCLES_MANAGE)],
)
async def close_update_cycle(
    cycle_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    body: schemas.UpdateCycleClose | None = None,
) -> schemas.UpdateCycle:
    """Close it (policy team): items still pending are carried over to `next_cycle_id` or to
    a new cycle with a six-week deadline, and the policy officers get the report."""
    cycle = await update_cycles.get_cycle(session, principal, cycle_id, for_update=True)
    cycle = await update_cycle_closing.close_cycle(
        session, principal, cycle, next_cycle_id=body.next_cycle_id if body else None
    )
    return _out(cycle, response)


@router.get(
    f"{CYCLES}/{{cycle_id}}/report",
    response_model=schemas.UpdateCycleReport,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def update_cycle_report(
    cycle_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.UpdateCycleReport:
    """Items per status and per assignee, those carried over (and where to), and those whose
    chapter matched no document."""
    cycle = await update_cycles.get_cycle(session, principal, cycle_id)
    report = await cycle_report(session, cycle)
    return schemas.UpdateCycleReport(
        cycle=schemas.UpdateCycle.model_validate(cycle),
        counts=report.counts,
        assignees=[
            schemas.AssigneeCounts(person_id=a.person_id, name=a.name, counts=a.counts)
            for a in report.assignees
        ],
        carried_over=[
            schemas.CarriedItem(
                item_id=c.item.id,
                chapter=c.item.chapter,
                document_id=c.item.document_id,
                assigned_to_id=c.item.assigned_to_id,
                next_item_id=c.next_item_id,
                next_cycle_id=c.next_cycle_id,
            )
            for c in report.carried
        ],
        unmatched=[
            schemas.UnmatchedItem(
                item_id=i.id, chapter=i.chapter, recommendation=i.recommendation, status=i.status
            )
            for i in report.unmatched
        ],
    )


@router.get(
    f"{ITEMS}/{{item_id}}",
    response_model=schemas.UpdateCycleItem,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_update_cycle_item(
    item_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.UpdateCycleItem:
    """One item, with its ETag for a change."""
    item = await update_cycles.get_item(session, principal, item_id)
    set_etag(response, item.row_version)
    return schemas.UpdateCycleItem.model_validate(item)


@router.patch(
    f"{ITEMS}/{{item_id}}",
    response_model=schemas.UpdateCycleItem,
    dependencies=[allowed(P.REVIEWS_RUN, P.UPDATE_CYCLES_MANAGE)],
)
async def update_update_cycle_item(
    item_id: uuid.UUID,
    body: schemas.UpdateCycleItemUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.UpdateCycleItem:
    """Record the outcome (`accepted`, `rejected`, `amended`, with a note): the assignee or
    the policy team. Match the item to a document or reassign it: the policy team. Needs
    `If-Match`."""
    item = await update_cycles.get_item(session, principal, item_id, for_update=True)
    if item.row_version != expected_version(if_match):
        raise PreconditionFailed("The item changed since you read it: read it again.")
    change = ItemChange.of(body.model_dump(exclude_unset=True))
    item = await update_cycle_items.update_item(session, principal, item, change)
    set_etag(response, item.row_version)
    return schemas.UpdateCycleItem.model_validate(item)
