"""The review tracker: what is due, overdue or escalated; and people's review calendar feeds."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request, Response

from services.api import browsers
from services.api.deps import (
    AppSettings,
    CurrentPrincipal,
    FeedSession,
    LagTolerantReadSession,
    LagTolerantSession,
    Pages,
    PublicUrl,
    Session,
)
from services.api.paging import Page
from services.api.permissions import PUBLIC, allowed
from services.api.routing import Router
from services.api.tracker import schemas
from services.api.types import IsoDate, ShortText, text_field
from services.domain.access.view_links import page_linker
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.documents.review_dates import ReviewRules
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.models.people import Person
from services.domain.tokens import Keyring
from services.domain.tracker import feeds, service
from services.domain.tracker.rag import Rag
from services.domain.tracker.service import TrackerStatus

router = Router(tags=["tracker"])
# Review extensions (services/domain/review_extensions/standing.py).
Extended = Annotated[
    bool | None,
    Query(
        description="true: documents whose review date an agreed review extension moved (in "
        "this review period); false: the others."
    ),
]
ExtensionPending = Annotated[
    bool | None, Query(description="true: documents with a request to move the date to decide.")
]
OrphanedFilter = Annotated[
    bool | None,
    Query(
        description="true: documents with no active owner (no owner, or its owner or named "
        "responsible officer has left); false: the others."
    ),
]


def _row(row: service.TrackerRow) -> schemas.TrackerRow:
    document = row.document
    return schemas.TrackerRow(
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        kind=document.kind,
        service_area=document.service_area,
        owner_id=document.owner_id,
        owner_name=row.owner_name,
        responsible_officer_id=document.responsible_officer_id,
        responsible_officer_name=row.responsible_officer_name,
        acting_responsible_officer_id=acting_responsible_officer_id(document),
        next_review_due=document.next_review_due,
        last_reviewed_on=document.last_reviewed_on,
        status=row.status,
        days_until_due=row.days_until_due,
        trix_url=document.trix_url,
        approved_by=document.approved_by,
        approved_on=document.approved_on,
        governing_reference=row.governing_reference,
        forms_aligned_on=document.forms_aligned_on,
        forms_aligned=row.forms_aligned,
        is_extended=row.extension.is_extended,
        original_review_due=row.extension.original_due,
        times_extended=row.extension.times_extended,
        pending_extension_id=row.extension.pending.id if row.extension.pending else None,
        rag=row.rag,
        escalation_rung=row.escalation_rung,
        orphaned=row.is_orphaned,
        vacant_roles=list(row.vacant_roles),
    )


async def tracker_filters(
    status: TrackerStatus | None = None,
    due_from: Annotated[IsoDate | None, Query(description="Due on or after this date.")] = None,
    due_to: Annotated[IsoDate | None, Query(description="Due on or before this date.")] = None,
    owner_id: uuid.UUID | None = None,
    responsible_officer_id: uuid.UUID | None = None,
    service_area: ShortText | None = None,
    kind: Annotated[ShortText | None, Query(max_length=40)] = None,
    forms_aligned: Annotated[
        bool | None,
        Query(
            description="false: documents whose forms are not aligned with the version in "
            "force (Dorset, Forms); true: those confirmed. Documents without forms match neither."
        ),
    ] = None,
    extended: Extended = None,
    extension_pending: ExtensionPending = None,
    rag: Annotated[
        Rag | None,
        Query(description="red: overdue; amber: due within the reminder window or under review."),
    ] = None,
    orphaned: OrphanedFilter = None,
) -> service.TrackerFilters:
    """The tracker's filters, from the query."""
    return service.TrackerFilters(
        status=status,
        due_from=due_from,
        due_to=due_to,
        owner_id=owner_id,
        responsible_officer_id=responsible_officer_id,
        service_area=service_area,
        kind=kind,
        forms_aligned=forms_aligned,
        extended=extended,
        extension_pending=extension_pending,
        rag=rag,
        orphaned=orphaned,
    )


@router.get(
    "/v1/tracker", response_model=schemas.TrackerPage, dependencies=[allowed(P.TRACKER_READ)]
)
async def list_tracker(
    request: Request,
    session: LagTolerantSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    pages: Pages,
    page: Page,
    filters: Annotated[service.TrackerFilters, Depends(tracker_filters)],
) -> Response:
    """Documents in force with a review date, by due date then reference, with their status,
    RAG, the escalation rungs reached, review extensions and whether anyone active owns them.
    Retired and superseded documents are not tracked."""
    kept = await pages.find(request, principal, session)
    if kept.found is not None:
        return kept.found
    scope = filters.as_dict()
    today = london_today()
    rows, last = await service.list_tracked(
        session,
        principal,
        filters,
        today=today,
        rules=ReviewRules.from_settings(settings),
        after=page.after(scope, (date, str)),
        limit=page.limit,
    )
    return kept.keep(
        schemas.TrackerPage(
            today=today,
            items=[_row(r) for r in rows],
            next_cursor=page.cursor_after(last, scope) if last else None,
        )
    )


def _counts(found: service.StatusCounts) -> dict[str, object]:
    return {
        "total": found.total,
        "counts": schemas.StatusNumbers(**found.counts),
        "percentages": schemas.StatusPercentages(**found.percentages),
    }


@router.get(
    "/v1/tracker/summary",
    response_model=schemas.TrackerSummary,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_tracker_summary(
    request: Request,
    session: LagTolerantReadSession,
    principal: CurrentPrincipal,
    settings: AppSettings,
    pages: Pages,
) -> Response:
    """How many tracked documents are on track, due soon, overdue and escalated: for the
    organisation and per service area (null for documents without one)."""
    page = await pages.find(request, principal, session)
    if page.found is not None:
        return page.found
    today = london_today()
    summary = await service.summarise(
        session, principal, today=today, rules=ReviewRules.from_settings(settings)
    )
    return page.keep(
        schemas.TrackerSummary(
            today=today,
            organisation=schemas.StatusCounts.model_validate(_counts(summary.organisation)),
            service_areas=[
                schemas.ServiceAreaCounts.model_validate({"service_area": area, **_counts(counts)})
                for area, counts in summary.service_areas
            ],
        )
    )


def _feed_url(public_url: str, keyring: Keyring, person: Person) -> str:
    token = feeds.feed_token(keyring, person)
    return f"{public_url}/v1/calendar-feeds/people/{person.id}.ics?token={token}"


@router.get(
    "/v1/people/{person_id}/calendar-feed",
    response_model=schemas.PersonCalendarFeed,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_review_calendar_feed(
    person_id: uuid.UUID,
    public_url: PublicUrl,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
) -> schemas.PersonCalendarFeed:
    """The address of the person's review deadlines as an iCalendar feed (for the person
    themself, admins and policy officers)."""
    person = await feeds.get_feed_owner(session, principal, person_id)
    response.headers["Cache-Control"] = "no-store"
    return schemas.PersonCalendarFeed(url=_feed_url(public_url, settings.keyring, person))


@router.post(
    "/v1/people/{person_id}/calendar-feed/rotate",
    response_model=schemas.PersonCalendarFeed,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def rotate_review_calendar_feed(
    person_id: uuid.UUID,
    public_url: PublicUrl,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
) -> schemas.PersonCalendarFeed:
    """Revoke every address of the person's review feed handed out so far; answer a new one."""
    person = await feeds.get_feed_owner(session, principal, person_id, for_update=True)
    person = await feeds.rotate_feed(session, principal, person)
    response.headers["Cache-Control"] = "no-store"
    return schemas.PersonCalendarFeed(url=_feed_url(public_url, settings.keyring, person))


@router.get(
    "/v1/calendar-feeds/people/{person_id}.ics",
    response_class=Response,
    responses=browsers.CALENDAR_FEED_RESPONSES,
    dependencies=[PUBLIC],
)
async def get_review_calendar(
    person_id: uuid.UUID,
    request: Request,
    session: FeedSession,
    settings: AppSettings,
    token: Annotated[str, text_field(100, 1, strip=False), Query()],
) -> Response:
    """The person's review deadlines for calendar clients: one all-day entry per document they
    own or are responsible officer of. The token in the address is the credential."""
    person = await feeds.person_for_feed(session, settings.keyring, person_id, token)
    # Each entry links its document's page for the person (a view link, as the emails'), valid
    # for view_link_days from the end of today, so its links change once a day at most.
    expires = london_today() + timedelta(days=settings.view_link_days + 1)
    page = page_linker(
        settings.keyring,
        settings.frontend_base_url,
        person_id=person.id,
        organisation_id=person.organisation_id,
        expires_at=datetime.combine(expires, time(), tzinfo=UTC),
    )
    body = await feeds.review_calendar(
        session,
        person,
        page=page,
        today=london_today(),
        rules=ReviewRules.from_settings(settings),
    )
    return browsers.calendar_response(request, body, "reviews.ics")


browsers.add_calendar_head(router, "/v1/calendar-feeds/people/{person_id}.ics", get_review_calendar)
