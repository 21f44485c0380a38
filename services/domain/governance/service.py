"""Governance routes: create, edit (as new versions), choose one for a document (posts are in
``posts``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.governance.commands import NewRoute, RouteChange
from services.domain.governance.definition import (
    BoardDecider,
    Decider,
    Inform,
    PeopleDecider,
    RouteDefinition,
)
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentKind
from services.domain.models.governance import GovernanceRoute, Post, RouteVersion
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person
from services.domain.text import STORED

ROUTE_FIELDS = ("name", "description", "kinds", "categories", "is_alternative", "is_active")


def parse_definition(raw: Mapping[str, Any]) -> RouteDefinition:
    """A route definition from JSON, or Invalid naming the first problem."""
    if "\\u0000" in json.dumps(raw):
        raise Invalid("The route definition cannot hold NUL characters.", field="definition")
    try:
        return RouteDefinition.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise Invalid(
            f"The route definition is not valid at {where or 'the top'}: {first['msg']}.",
            field=f"definition.{where}" if where else "definition",
        ) from None


def _deciders(definition: RouteDefinition) -> list[Decider]:
    found: list[Decider] = []
    for stage in definition.stages:
        found.append(stage.decider)
        if stage.refer_to is not None:
            found.append(stage.refer_to)
    return found


async def check_decider(
    session: AsyncSession, organisation_id: uuid.UUID, decider: Decider
) -> None:
    """The boards and people a decider names exist, in this organisation, and are active."""
    if isinstance(decider, BoardDecider):
        board = await session.get(Board, decider.board_id)
        if board is None or board.organisation_id != organisation_id or not board.is_active:
            raise Invalid(
                f"No active board {decider.board_id} in your organisation.", field="board_id"
            )
    elif isinstance(decider, PeopleDecider):
        for person_id in decider.people:
            await require_active_person(session, organisation_id, person_id, "people")


async def _check_references(
    session: AsyncSession, organisation_id: uuid.UUID, definition: RouteDefinition
) -> None:
    for decider in _deciders(definition):
        await check_decider(session, organisation_id, decider)
    for stage in definition.stages:
        if stage.inform is not None:
            await _check_inform(session, organisation_id, stage.key, stage.inform)


async def _check_inform(
    session: AsyncSession, organisation_id: uuid.UUID, stage_key: str, inform: Inform
) -> None:
    """The posts a stage informs are posts of the organisation; its people are active in it."""
    held = set(
        (
            await session.execute(
                select(Post.post).where(
                    Post.organisation_id == organisation_id, Post.post.in_(inform.posts)
                )
            )
        ).scalars()
    )
    unknown = sorted(set(inform.posts) - held)
    if unknown:
        raise Invalid(
            f"Stage {stage_key!r} informs posts nobody holds in your organisation: "
            f"{', '.join(unknown)}; record them (/v1/posts) first.",
            field="definition.stages.inform.posts",
        )
    for person_id in inform.people:
        await require_active_person(session, organisation_id, person_id, "inform.people")


async def _check_kinds(session: AsyncSession, organisation_id: uuid.UUID, kinds: list[str]) -> None:
    known = set(
        (
            await session.execute(
                select(DocumentKind.key).where(DocumentKind.organisation_id == organisation_id)
            )
        ).scalars()
    )
    unknown = sorted(set(kinds) - known)
    if unknown:
        raise Invalid(
            f"Not document kinds of this organisation: {', '.join(unknown)}.", field="kinds"
        )


async def get_route(
    session: AsyncSession, principal: Principal, route_id: uuid.UUID, *, for_update: bool = False
) -> GovernanceRoute:
    query = select(GovernanceRoute).where(
        GovernanceRoute.id == route_id, GovernanceRoute.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update()
    route = (await session.execute(query)).scalar_one_or_none()
    if route is None:
        raise NotFound("No such route.")
    return route


async def list_routes(
    session: AsyncSession, principal: Principal, *, include_inactive: bool = False
) -> list[GovernanceRoute]:
    query = select(GovernanceRoute).where(
        GovernanceRoute.organisation_id == principal.organisation_id
    )
    if not include_inactive:
        query = query.where(GovernanceRoute.is_active.is_(True))
    return list((await session.execute(query.order_by(GovernanceRoute.key))).scalars())


async def route_version(
    session: AsyncSession, route: GovernanceRoute, number: int | None = None
) -> RouteVersion:
    """A version of the route (the current one by default)."""
    wanted = route.current_version if number is None else number
    found = (
        await session.execute(
            select(RouteVersion).where(
                RouteVersion.route_id == route.id, RouteVersion.number == wanted
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"This route has no version {wanted}.")
    return found


async def versions_of(session: AsyncSession, route: GovernanceRoute) -> list[RouteVersion]:
    rows = await session.execute(
        select(RouteVersion)
        .where(RouteVersion.route_id == route.id)
        .order_by(RouteVersion.number.desc())
    )
    return list(rows.scalars())


def _snapshot(route: GovernanceRoute, version: RouteVersion | None) -> dict[str, Any]:
    after = audit.snapshot(route)
    if version is not None:
        after["definition"] = version.definition
    return after


async def create_route(
    session: AsyncSession,
    principal: Principal | None,
    *,
    organisation_id: uuid.UUID,
    command: NewRoute,
) -> GovernanceRoute:
    """Add a route with its first version. ``principal`` is None when seeding demo data."""
    if principal is not None:
        org_authz.check_manage_routes(principal)
        organisation_id = principal.organisation_id
    definition = parse_definition(command.definition)
    await _check_references(session, organisation_id, definition)
    await _check_kinds(session, organisation_id, list(command.kinds))
    route = GovernanceRoute(
        id=new_id(),
        organisation_id=organisation_id,
        key=command.key,
        name=command.name,
        description=command.description,
        kinds=sorted(set(command.kinds)),
        categories=sorted(set(command.categories)),
        is_alternative=command.is_alternative,
        is_active=True,
        current_version=1,
    )
    clash = await session.execute(
        select(GovernanceRoute.id).where(
            GovernanceRoute.organisation_id == organisation_id,
            GovernanceRoute.key == route.key,
        )
    )
    if clash.first() is not None:
        raise Conflict(f"A route with key {route.key!r} already exists.", field="key")
    session.add(route)
    await session.flush()
    version = RouteVersion(
        id=new_id(),
        organisation_id=organisation_id,
        route_id=route.id,
        number=1,
        definition=definition.model_dump(mode="json"),
        created_by_id=principal.person_id if principal else None,
    )
    session.add(version)
    try:
        await session.flush()
    except IntegrityError:  # pragma: no cover - the key check above runs first
        raise Conflict(f"A route with key {route.key!r} already exists.", field="key") from None
    await audit_changes.record_change(
        session, principal, route, "route.created", after=_snapshot(route, version)
    )
    await emit(
        session, events.RouteChanged(organisation_id=organisation_id, route_id=route.id, version=1)
    )
    return route


async def _next_version(
    session: AsyncSession, principal: Principal, route: GovernanceRoute, raw: Mapping[str, Any]
) -> RouteVersion | None:
    """The route's next version with the definition sent, or None when it says what the current
    one says."""
    definition = parse_definition(raw)
    await _check_references(session, route.organisation_id, definition)
    current = await route_version(session, route)
    dumped = definition.model_dump(mode="json")
    # Compared as parsed, so a field added to definitions since is not a change.
    stored = RouteDefinition.model_validate(current.definition, context=STORED)
    if dumped == stored.model_dump(mode="json"):
        return None
    route.current_version += 1
    new_version = RouteVersion(
        id=new_id(),
        organisation_id=route.organisation_id,
        route_id=route.id,
        number=route.current_version,
        definition=dumped,
        created_by_id=principal.person_id,
    )
    session.add(new_version)
    return new_version


async def update_route(
    session: AsyncSession,
    principal: Principal,
    route: GovernanceRoute,
    command: RouteChange,
    *,
    expected_version: int,
) -> GovernanceRoute:
    """Change a route. A new definition becomes a new version; sign-offs in flight keep theirs."""
    org_authz.check_manage_routes(principal)
    if route.row_version != expected_version:
        raise PreconditionFailed("The route has changed since you read it; fetch it again.")
    before = audit.snapshot(route)
    new_version: RouteVersion | None = None
    changes = command.given()
    if changes.get("definition") is not None:
        new_version = await _next_version(session, principal, route, changes["definition"])
    if changes.get("kinds") is not None:
        await _check_kinds(session, route.organisation_id, list(changes["kinds"]))
    changed = False
    for key in ROUTE_FIELDS:
        value = changes.get(key)
        if value is not None:
            if key in ("kinds", "categories"):
                value = sorted(set(value))
            if getattr(route, key) != value:
                setattr(route, key, value)
                changed = True
    if not changed and new_version is None:
        return route
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        route,
        "route.updated",
        before=before,
        after=_snapshot(route, new_version),
    )
    await emit(
        session,
        events.RouteChanged(
            organisation_id=route.organisation_id, route_id=route.id, version=route.current_version
        ),
    )
    return route


def _applies(route: GovernanceRoute, document: Document) -> bool:
    kind_ok = not route.kinds or document.kind in route.kinds
    category_ok = not route.categories or (
        document.category is not None
        and document.category.lower() in {c.lower() for c in route.categories}
    )
    return kind_ok and category_ok


async def choose_route(
    session: AsyncSession, document: Document, route_id: uuid.UUID | None
) -> tuple[GovernanceRoute, RouteVersion]:
    """The route a document's sign-off follows, in its current version.

    Named by the submitter, or else the most specific active route for the document's kind
    and category (Birmingham's sign-off matrix); alternative routes only when named.
    """
    if route_id is not None:
        route = await session.get(GovernanceRoute, route_id)
        if route is None or route.organisation_id != document.organisation_id:
            raise Invalid("No such route.", field="route_id")
        if not route.is_active:
            raise Invalid("That route is no longer in use.", field="route_id")
        if not _applies(route, document):
            raise Invalid(
                f"The route {route.name!r} is not for a {document.kind} of category "
                f"{document.category or '(none)'}.",
                field="route_id",
            )
        return route, await route_version(session, route)
    found = await default_route(session, document)
    if found is None:
        raise Conflict(
            f"No governance route covers a {document.kind}"
            f"{' of category ' + document.category if document.category else ''}: "
            "ask the policy team to add one, or name a route."
        )
    return found


async def default_route(
    session: AsyncSession, document: Document
) -> tuple[GovernanceRoute, RouteVersion] | None:
    """The most specific active route for the document's kind and category, in its current
    version (alternative routes are never the default), or None if no route covers it."""
    candidates = [
        route
        for route in (
            await session.execute(
                select(GovernanceRoute)
                .where(
                    GovernanceRoute.organisation_id == document.organisation_id,
                    GovernanceRoute.is_active.is_(True),
                    GovernanceRoute.is_alternative.is_(False),
                )
                .order_by(GovernanceRoute.key)
            )
        ).scalars()
        if _applies(route, document)
    ]
    if not candidates:
        return None
    # Kind and category beat either alone, which beat a route for everything.
    best = max(
        candidates,
        key=lambda r: (bool(r.kinds) and bool(r.categories), bool(r.kinds), bool(r.categories)),
    )
    return best, await route_version(session, best)
