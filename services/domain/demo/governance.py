"""The seed organisations' posts and governance routes (demo/routes/<slug>.json), with the
people and boards the data files name by email and by name resolved to their ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.governance import posts as route_posts
from services.domain.governance import service as routes
from services.domain.governance.commands import NewPost, NewRoute
from services.domain.models.boards import Board
from services.domain.models.governance import GovernanceRoute, Post


async def seed_routes(
    session: AsyncSession,
    system: Principal,
    slug: str,
    spec: dict[str, Any],
    by_email: dict[str, Any],
) -> tuple[int, int]:
    """The posts and governance routes of demo/routes/<slug>.json; returns (posts, routes) created.

    The data files name people by email and boards by name, since ids differ in every database;
    they are resolved here. A post is ``{"post", "service_area" (null: organisation-wide),
    "person_email"}``. In a route's definition, a decider or ``refer_to`` written as
    ``{"kind": "board", "board_name": ...}`` gets the board's ``board_id``, and one written as
    ``{"kind": "people", "people_emails": [...]}`` gets ``people`` (their ids); every other
    decider is passed to ``routes.create_route`` as written. A post that exists (same post and
    service area) and a route whose key exists are left as they are.
    """
    posts = await _seed_posts(session, system, slug, spec, by_email)
    created = await _seed_routes(session, system, slug, spec, by_email)
    return posts, created


async def _seed_posts(
    session: AsyncSession,
    system: Principal,
    slug: str,
    spec: dict[str, Any],
    by_email: dict[str, Any],
) -> int:
    """The posts of the data file that are not held yet; how many were created."""
    organisation_id = system.organisation_id
    posts = 0
    for p in spec.get("posts", []):
        area = p.get("service_area") or None
        held = await session.execute(
            select(Post.id).where(
                Post.organisation_id == organisation_id,
                Post.post == p["post"],
                func.lower(func.coalesce(Post.service_area, "")) == (area or "").lower(),
            )
        )
        if held.first() is not None:
            continue
        await route_posts.create_post(
            session,
            system,
            organisation_id=organisation_id,
            command=NewPost(
                post=p["post"],
                service_area=area,
                person_id=_person(by_email, p["person_email"], slug),
            ),
        )
        posts += 1
    return posts


async def _seed_routes(
    session: AsyncSession,
    system: Principal,
    slug: str,
    spec: dict[str, Any],
    by_email: dict[str, Any],
) -> int:
    """The routes of the data file whose key is new; how many were created."""
    organisation_id = system.organisation_id
    board_ids = {
        name: board_id
        for name, board_id in await session.execute(
            select(Board.name, Board.id).where(Board.organisation_id == organisation_id)
        )
    }
    existing = set(
        (
            await session.execute(
                select(GovernanceRoute.key).where(
                    GovernanceRoute.organisation_id == organisation_id
                )
            )
        ).scalars()
    )
    created = 0
    for r in spec.get("routes", []):
        if r["key"] in existing:
            continue
        definition = dict(r["definition"])
        definition["stages"] = [
            {
                **stage,
                "decider": _resolve(stage["decider"], board_ids, by_email, slug),
                **(
                    {"refer_to": _resolve(stage["refer_to"], board_ids, by_email, slug)}
                    if stage.get("refer_to")
                    else {}
                ),
            }
            for stage in definition["stages"]
        ]
        await routes.create_route(
            session,
            system,
            organisation_id=organisation_id,
            command=NewRoute(
                key=r["key"],
                name=r["name"],
                description=r.get("description", ""),
                kinds=r.get("kinds", []),
                categories=r.get("categories", []),
                is_alternative=r.get("is_alternative", False),
                definition=definition,
            ),
        )
        existing.add(r["key"])
        created += 1
    return created


def _person(by_email: dict[str, Any], email: str, slug: str) -> Any:
    if email not in by_email:
        raise ValueError(f"demo/routes/{slug}.json names {email}, who is not a demo person")
    return by_email[email]


def _resolve(
    decider: dict[str, Any], board_ids: dict[str, Any], by_email: dict[str, Any], slug: str
) -> dict[str, Any]:
    """A data-file decider with board names and emails turned into ids."""
    resolved = dict(decider)
    if "board_name" in resolved:
        name = resolved.pop("board_name")
        if name not in board_ids:
            raise ValueError(f"demo/routes/{slug}.json names a board {name!r} that is not seeded")
        resolved["board_id"] = str(board_ids[name])
    if "people_emails" in resolved:
        emails = resolved.pop("people_emails")
        resolved["people"] = [str(_person(by_email, email, slug)) for email in emails]
    return resolved
