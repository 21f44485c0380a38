"""Posts: who holds which post, per service area (the "AD of the practice area"), for the
route stages that a post decides."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.commands import UNSET
from services.domain.db import new_id
from services.domain.errors import Conflict, NotFound, PreconditionFailed
from services.domain.governance.commands import NewPost, PostChange
from services.domain.models.governance import Post
from services.domain.people.service import require_active_person


async def holder_of(
    session: AsyncSession, organisation_id: uuid.UUID, post: str, service_area: str | None
) -> uuid.UUID | None:
    """Who holds ``post`` for the service area, else organisation-wide (None if nobody)."""
    rows = await session.execute(
        select(Post.person_id, Post.service_area)
        .where(Post.organisation_id == organisation_id, Post.post == post)
        .where(
            or_(
                Post.service_area.is_(None),
                func.lower(Post.service_area) == (service_area or "").lower(),
            )
        )
    )
    found = {area is None: person_id for person_id, area in rows}
    return found.get(False) or found.get(True)


async def list_posts(
    session: AsyncSession, principal: Principal, *, post: str | None = None
) -> list[Post]:
    query = select(Post).where(Post.organisation_id == principal.organisation_id)
    if post is not None:
        query = query.where(Post.post == post)
    return list((await session.execute(query.order_by(Post.post, Post.service_area))).scalars())


async def get_post(session: AsyncSession, principal: Principal, post_id: uuid.UUID) -> Post:
    found = await session.get(Post, post_id)
    if found is None or found.organisation_id != principal.organisation_id:
        raise NotFound("No such post.")
    return found


async def _post_clash(session: AsyncSession, post: Post) -> None:
    clash = await session.execute(
        select(Post.id).where(
            Post.organisation_id == post.organisation_id,
            Post.post == post.post,
            func.lower(func.coalesce(Post.service_area, "")) == (post.service_area or "").lower(),
            Post.id != post.id,
        )
    )
    if clash.first() is not None:
        area = post.service_area or "the whole organisation"
        raise Conflict(f"Someone already holds {post.post} for {area}; change that post instead.")


async def create_post(
    session: AsyncSession,
    principal: Principal | None,
    *,
    organisation_id: uuid.UUID,
    command: NewPost,
) -> Post:
    """Record who holds a post ("assistant_director" for "Children in Need")."""
    if principal is not None:
        org_authz.check_manage_routes(principal)
        organisation_id = principal.organisation_id
    await require_active_person(session, organisation_id, command.person_id, "person_id")
    post = Post(
        id=new_id(),
        organisation_id=organisation_id,
        post=command.post,
        service_area=command.service_area or None,
        person_id=command.person_id,
    )
    await _post_clash(session, post)
    session.add(post)
    await session.flush()
    await audit_changes.record_change(session, principal, post, "post.created")
    return post


async def update_post(
    session: AsyncSession,
    principal: Principal,
    post: Post,
    command: PostChange,
    *,
    expected_version: int,
) -> Post:
    """Hand a post to someone else (sign-offs already started keep the person they asked)."""
    org_authz.check_manage_routes(principal)
    if post.row_version != expected_version:
        raise PreconditionFailed("The post has changed since you read it; fetch it again.")
    person_id = command.person_id
    if person_id is UNSET or person_id is None or person_id == post.person_id:
        return post
    await require_active_person(session, post.organisation_id, person_id, "person_id")
    before = audit.snapshot(post)
    post.person_id = person_id
    await session.flush()
    await audit_changes.record_change(session, principal, post, "post.updated", before=before)
    return post


async def delete_post(session: AsyncSession, principal: Principal, post: Post) -> None:
    org_authz.check_manage_routes(principal)
    before = audit.snapshot(post)
    await session.delete(post)
    await session.flush()
    await audit_changes.record_change(
        session, principal, post, "post.deleted", before=before, after=None
    )
