"""The news of the register: what was issued, changed or retired (a paged list and an Atom feed
for intranets and Tri.x news), each person's digest subscription, and the digest preview
(Birmingham 11, Dorset 5.2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Query, Request, Response

from services.api import browsers
from services.api.deps import AppSettings, CurrentPrincipal, FeedSession, PublicUrl, Session
from services.api.launch import schemas
from services.api.paging import Page
from services.api.permissions import PUBLIC, allowed
from services.api.routing import Router
from services.api.types import ShortText, text_field
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.launch import announcements, digest, feed, subscriptions
from services.domain.launch.commands import DigestChoice
from services.domain.models.organisations import Organisation
from services.domain.tokens import Keyring

router = Router(prefix="/v1/news", tags=["news"])
people_router = Router(prefix="/v1/people", tags=["news"])
feed_router = Router(tags=["news"])
AreaFilter = Annotated[ShortText | None, Query(description="One service area, in any case.")]
KindFilter = Annotated[ShortText | None, Query(max_length=40, description="One kind's key.")]
ATOM_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "An Atom (RFC 4287) feed, newest entry first (at most 50).",
        "content": {"application/atom+xml": {"schema": {"type": "string"}}},
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Last-Modified": {"schema": {"type": "string"}},
        },
    },
    304: {"description": "Not modified since If-None-Match or If-Modified-Since."},
}


def _one(value: str | None) -> list[str]:
    return [value] if value and value.strip() else []


@router.get(
    "/announcements",
    response_model=schemas.AnnouncementPage,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def list_announcements(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    service_area: AreaFilter = None,
    kind: KindFilter = None,
) -> schemas.AnnouncementPage:
    """What was issued, changed or retired, newest first; `service_area` and `kind` narrow it,
    as the digest and the feed do."""
    scope = {"service_area": service_area, "kind": kind}
    after = page.after_time(scope)
    found = await announcements.latest_announcements(
        session, principal.organisation_id, service_areas=_one(service_area), kinds=_one(kind),
        before=after, limit=page.fetch,
    )  # fmt: skip
    rows, next_cursor = page.page(found, scope, lambda a: [a.happened_at.isoformat(), str(a.id)])
    return schemas.AnnouncementPage(
        items=[schemas.Announcement.model_validate(a) for a in rows], next_cursor=next_cursor
    )


@router.get(
    "/digest-preview",
    response_model=schemas.DigestPreview,
    dependencies=[allowed(P.NEWS_MANAGE)],
)
async def preview_digest(
    session: Session,
    principal: CurrentPrincipal,
    person_id: uuid.UUID | None = None,
    period: Literal["latest", "current"] = "current",
) -> schemas.DigestPreview:
    """What the digest lists (the policy team): `current`, the period running now, whose digest
    is still to come; `latest`, the last one sent. With `person_id`, as their subscription
    narrows it (404 if they have none); else everything."""
    found, _, entries = await digest.preview(
        session, principal, person_id=person_id, current=period == "current",
        today=london_today(),
    )  # fmt: skip
    org = await session.get(Organisation, principal.organisation_id)
    assert org is not None
    return schemas.DigestPreview(
        frequency=org.digest_frequency,
        period_key=found.key if found else None,
        starts_on=found.starts_on if found else None,
        ends_on=found.ends_on if found else None,
        sent_on=found.sent_on if found else None,
        person_id=person_id,
        would_send=bool(entries),
        entries=[schemas.Announcement.model_validate(a) for a in entries],
    )


@router.get(
    "/subscriptions",
    response_model=schemas.DigestSubscriptionPage,
    dependencies=[allowed(P.NEWS_MANAGE)],
)
async def list_digest_subscriptions(
    session: Session, principal: CurrentPrincipal, page: Page
) -> schemas.DigestSubscriptionPage:
    """Everyone subscribed to the digest, oldest subscription first (the policy team)."""
    scope: dict[str, str] = {}
    found = await subscriptions.list_subscriptions(
        session, principal, after=page.after_time(scope), limit=page.fetch
    )
    rows, next_cursor = page.time_page(found, scope, lambda s: s.created_at)
    return schemas.DigestSubscriptionPage(
        items=[schemas.DigestSubscription.model_validate(s) for s in rows],
        next_cursor=next_cursor,
    )


@people_router.get(
    "/{person_id}/digest-subscription",
    response_model=schemas.DigestSubscription,
    dependencies=[allowed(P.DIGESTS_SUBSCRIBE)],
)
async def get_digest_subscription(
    person_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.DigestSubscription:
    """A person's digest subscription (one's own; anyone's for the policy team); 404 if none."""
    found = await subscriptions.get_subscription(session, principal, person_id)
    return schemas.DigestSubscription.model_validate(found)


@people_router.put(
    "/{person_id}/digest-subscription",
    response_model=schemas.DigestSubscription,
    responses={201: {"model": schemas.DigestSubscription, "description": "Subscribed."}},
    dependencies=[allowed(P.DIGESTS_SUBSCRIBE)],
)
async def set_digest_subscription(
    person_id: uuid.UUID,
    body: schemas.DigestSubscriptionSet,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.DigestSubscription:
    """Subscribe to the digest of what is issued, changed or retired in these service areas
    and/or kinds of document (neither: everything), or change what it lists. 201 when new."""
    choice = DigestChoice.of(body.model_dump(exclude_unset=True))
    found, is_new = await subscriptions.subscribe(session, principal, person_id, choice)
    if is_new:
        response.status_code = 201
    return schemas.DigestSubscription.model_validate(found)


@people_router.delete(
    "/{person_id}/digest-subscription",
    status_code=204,
    dependencies=[allowed(P.DIGESTS_SUBSCRIBE)],
)
async def delete_digest_subscription(
    person_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """No more digests."""
    await subscriptions.unsubscribe(session, principal, person_id)
    return Response(status_code=204)


def _feed_url(
    public_url: str, keyring: Keyring, org: Organisation, areas: list[str], kinds: list[str]
) -> str:
    query = [("token", feed.feed_token(keyring, org))]
    query += [("service_area", a) for a in areas] + [("kind", k) for k in kinds]
    return f"{public_url}/v1/news-feeds/{org.id}.atom?{urlencode(query)}"


@router.get("/feed", response_model=schemas.NewsFeed, dependencies=[allowed(P.NEWS_MANAGE)])
async def get_news_feed(
    public_url: PublicUrl,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    service_area: AreaFilter = None,
    kind: KindFilter = None,
) -> schemas.NewsFeed:
    """The address of the Atom feed (for the intranet and Tri.x news), narrowed to service
    areas and kinds if given: no API key needed to read it (the policy team hands it out)."""
    org = await session.get(Organisation, principal.organisation_id)
    assert org is not None
    response.headers["Cache-Control"] = "no-store"
    url = _feed_url(public_url, settings.keyring, org, _one(service_area), _one(kind))
    return schemas.NewsFeed(url=url)


@router.post("/feed/rotate", response_model=schemas.NewsFeed, dependencies=[allowed(P.NEWS_MANAGE)])
async def rotate_news_feed(
    public_url: PublicUrl,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
) -> schemas.NewsFeed:
    """Revoke every address of the news feed handed out so far and answer a new one."""
    org = await feed.rotate_feed(session, principal)
    response.headers["Cache-Control"] = "no-store"
    return schemas.NewsFeed(url=_feed_url(public_url, settings.keyring, org, [], []))


def _not_modified_since(request: Request, modified: datetime) -> bool:
    if request.headers.get("if-none-match"):
        return False  # If-None-Match wins (RFC 9110 13.1.3); the middleware answers it
    since = request.headers.get("if-modified-since")
    if not since:
        return False
    try:
        return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


@feed_router.get(
    "/v1/news-feeds/{organisation_id}.atom",
    response_class=Response,
    responses=ATOM_RESPONSES,
    dependencies=[PUBLIC],
)
async def get_news_atom(
    organisation_id: uuid.UUID,
    request: Request,
    session: FeedSession,
    settings: AppSettings,
    token: Annotated[str, text_field(100, 1, strip=False), Query()],
    service_area: AreaFilter = None,
    kind: KindFilter = None,
) -> Response:
    """The news as Atom for feed readers, intranet pages and Tri.x news: the token in the
    address is the credential, no API key. 404 for a wrong, stale or rotated token."""
    org = await feed.organisation_for_feed(session, settings.keyring, organisation_id, token)
    entries = await feed.feed_entries(session, org, _one(service_area), _one(kind))
    modified = feed.last_modified(org, entries)
    body = feed.render_feed(
        org, entries, self_url=str(request.url), frontend_base_url=settings.frontend_base_url
    )
    headers = {
        "Cache-Control": "private, max-age=300",
        "ETag": browsers.content_etag(body),
        "Last-Modified": format_datetime(modified.replace(microsecond=0), usegmt=True),
    }
    if _not_modified_since(request, modified):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)


feed_router.add_api_route(
    "/v1/news-feeds/{organisation_id}.atom",
    get_news_atom,
    methods=["HEAD"],
    name="head_news_atom",
    response_class=Response,
    responses=ATOM_RESPONSES,
    dependencies=[PUBLIC],
    summary="The feed's headers alone",
    description="Its ETag, Last-Modified and length, as a feed reader checks for a change.",
)
