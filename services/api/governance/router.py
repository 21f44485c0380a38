"""Governance routes (`/v1/routes`) and the posts their stages name (`/v1/posts`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.governance import schemas
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import text_field
from services.domain.authz.permissions import Permission as P
from services.domain.governance import posts, service
from services.domain.governance.commands import NewPost, NewRoute, PostChange, RouteChange
from services.domain.governance.definition import RouteDefinition
from services.domain.models.governance import GovernanceRoute, Post, RouteVersion
from services.domain.text import STORED

router = Router(prefix="/v1/routes", tags=["routes"])
posts_router = Router(prefix="/v1/posts", tags=["routes"])


def _route_out(route: GovernanceRoute, version: RouteVersion) -> schemas.Route:
    return schemas.Route(
        id=route.id,
        key=route.key,
        name=route.name,
        description=route.description,
        kinds=route.kinds,
        categories=route.categories,
        is_alternative=route.is_alternative,
        is_active=route.is_active,
        current_version=route.current_version,
        definition=RouteDefinition.model_validate(version.definition, context=STORED),
        created_at=route.created_at,
        updated_at=route.updated_at,
    )


def _version_out(version: RouteVersion) -> schemas.RouteVersionOut:
    return schemas.RouteVersionOut(
        number=version.number,
        definition=RouteDefinition.model_validate(version.definition, context=STORED),
        created_at=version.created_at,
        created_by_id=version.created_by_id,
    )


@router.get("", response_model=list[schemas.Route], dependencies=[allowed(P.ROUTES_READ)])
async def list_routes(
    session: Session, principal: CurrentPrincipal, include_inactive: bool = False
) -> list[schemas.Route]:
    """The organisation's governance routes, each with its current definition."""
    routes = await service.list_routes(session, principal, include_inactive=include_inactive)
    return [_route_out(r, await service.route_version(session, r)) for r in routes]


@router.post(
    "", status_code=201, response_model=schemas.Route, dependencies=[allowed(P.ROUTES_MANAGE)]
)
async def create_route(
    body: schemas.RouteCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Route:
    """Add a route (admins and policy officers): its questions, gates and stages."""
    command = NewRoute.of(body.model_dump(mode="json"))
    route = await service.create_route(
        session, principal, organisation_id=principal.organisation_id, command=command
    )
    response.headers["Location"] = f"/v1/routes/{route.id}"
    set_etag(response, route.row_version)
    return _route_out(route, await service.route_version(session, route))


@router.get("/{route_id}", response_model=schemas.Route, dependencies=[allowed(P.ROUTES_READ)])
async def get_route(
    route_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Route:
    route = await service.get_route(session, principal, route_id)
    set_etag(response, route.row_version)
    return _route_out(route, await service.route_version(session, route))


@router.patch("/{route_id}", response_model=schemas.Route, dependencies=[allowed(P.ROUTES_MANAGE)])
async def update_route(
    route_id: uuid.UUID,
    body: schemas.RouteUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Route:
    """Change a route; a new definition becomes its next version. Needs `If-Match`."""
    expected = expected_version(if_match)
    route = await service.get_route(session, principal, route_id, for_update=True)
    route = await service.update_route(
        session,
        principal,
        route,
        RouteChange.of(body.model_dump(mode="json", exclude_unset=True)),
        expected_version=expected,
    )
    set_etag(response, route.row_version)
    return _route_out(route, await service.route_version(session, route))


@router.get(
    "/{route_id}/versions",
    response_model=list[schemas.RouteVersionOut],
    dependencies=[allowed(P.ROUTES_READ)],
)
async def list_route_versions(
    route_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.RouteVersionOut]:
    """Every version of the route, newest first: what each sign-off followed."""
    route = await service.get_route(session, principal, route_id)
    return [_version_out(v) for v in await service.versions_of(session, route)]


def _post_out(post: Post) -> schemas.Post:
    return schemas.Post.model_validate(post, from_attributes=True)


@posts_router.get("", response_model=list[schemas.Post], dependencies=[allowed(P.ROUTES_READ)])
async def list_posts(
    session: Session,
    principal: CurrentPrincipal,
    post: Annotated[str, text_field(60, strip=False)] | None = None,
) -> list[schemas.Post]:
    """Who holds which post, per service area (the "AD of the practice area")."""
    return [_post_out(p) for p in await posts.list_posts(session, principal, post=post)]


@posts_router.post(
    "", status_code=201, response_model=schemas.Post, dependencies=[allowed(P.ROUTES_MANAGE)]
)
async def create_post(
    body: schemas.PostCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Post:
    post = await posts.create_post(
        session,
        principal,
        organisation_id=principal.organisation_id,
        command=NewPost.of(body.model_dump()),
    )
    response.headers["Location"] = f"/v1/posts/{post.id}"
    set_etag(response, post.row_version)
    return _post_out(post)


@posts_router.get("/{post_id}", response_model=schemas.Post, dependencies=[allowed(P.ROUTES_READ)])
async def get_post(
    post_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Post:
    post = await posts.get_post(session, principal, post_id)
    set_etag(response, post.row_version)
    return _post_out(post)


@posts_router.patch(
    "/{post_id}", response_model=schemas.Post, dependencies=[allowed(P.ROUTES_MANAGE)]
)
async def update_post(
    post_id: uuid.UUID,
    body: schemas.PostUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Post:
    """Hand the post to someone else. Needs `If-Match`."""
    expected = expected_version(if_match)
    post = await posts.get_post(session, principal, post_id)
    post = await posts.update_post(
        session, principal, post, PostChange.of(body.model_dump()), expected_version=expected
    )
    set_etag(response, post.row_version)
    return _post_out(post)


@posts_router.delete(
    "/{post_id}", status_code=204, response_class=Response, dependencies=[allowed(P.ROUTES_MANAGE)]
)
async def delete_post(
    post_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    post = await posts.get_post(session, principal, post_id)
    await posts.delete_post(session, principal, post)
    return Response(status_code=204)
