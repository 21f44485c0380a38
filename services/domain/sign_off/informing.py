"""Informing without deciding: a stage shows the draft to the posts and people its route names
in ``inform``, and they acknowledge it. Nothing waits on an acknowledgement: the stage, the
issue and the close of the sign-off go on without it.

LBBD stage 9: "Shared at OMT (Operational Management Team) and with other relevant Heads of
Service"; "Decide if this should be shared with or signed off by the Cabinet Member".
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.governance.definition import Inform
from services.domain.models.documents import Document
from services.domain.models.governance import Post
from services.domain.models.sign_off import SignOff, SignOffInformed, SignOffStage
from services.domain.outbox.service import emit
from services.domain.sign_off.deciders import active_people


async def _told(
    session: AsyncSession, document: Document, inform: Inform
) -> dict[uuid.UUID, str | None]:
    """The active people ``inform`` names now, each with the post they are told as."""
    org = document.organisation_id
    found: dict[uuid.UUID, str | None] = {}
    for post in inform.posts:
        # Every holder, whatever their service area ("other relevant Heads of Service"); a
        # post nobody active holds today tells nobody: informing never holds up a sign-off.
        holders = await session.execute(
            select(Post.person_id)
            .where(Post.organisation_id == org, Post.post == post)
            .order_by(Post.service_area.nulls_first())
        )
        for person_id in await active_people(session, org, list(holders.scalars())):
            found.setdefault(person_id, post)
    for person_id in await active_people(session, org, list(inform.people)):
        found.setdefault(person_id, None)
    return found


async def inform_stage(
    session: AsyncSession,
    principal: Principal,
    sign_off: SignOff,
    stage: SignOffStage,
    document: Document,
    inform: Inform,
) -> None:
    """Show the draft to whom the stage informs; a stage started again tells nobody twice."""
    already = set(
        (
            await session.execute(
                select(SignOffInformed.person_id).where(SignOffInformed.stage_id == stage.id)
            )
        ).scalars()
    )
    told: list[SignOffInformed] = []
    for person_id, post in (await _told(session, document, inform)).items():
        if person_id in already:
            continue
        row = SignOffInformed(
            id=new_id(),
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            stage_id=stage.id,
            person_id=person_id,
            post=post,
            version_id=sign_off.version_id,
            informed_at=utcnow(),
        )
        session.add(row)
        told.append(row)
    if not told:
        return
    await session.flush()
    for row in told:
        await audit_changes.record_change(session, principal, row, "sign_off.informed")
    await emit(
        session,
        events.SignOffInformed(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            stage_id=stage.id,
            document_id=document.id,
            version_id=sign_off.version_id,
            stage_name=stage.name,
            person_ids=[row.person_id for row in told],
        ),
    )


async def informed_of(session: AsyncSession, sign_off_id: uuid.UUID) -> list[SignOffInformed]:
    """Everyone the sign-off's stages informed, in the order they were told."""
    rows = await session.execute(
        select(SignOffInformed)
        .where(SignOffInformed.sign_off_id == sign_off_id)
        .order_by(SignOffInformed.informed_at, SignOffInformed.id)
    )
    return list(rows.scalars())


async def acknowledge(
    session: AsyncSession, principal: Principal, sign_off: SignOff, comment: str
) -> list[SignOffInformed]:
    """The caller acknowledges every stage of the sign-off that informed them.

    Idempotent: acknowledging again changes nothing (the first time and comment stand), so a
    retried request is safe. Only the person informed may acknowledge (``authz``).
    """
    rows = await informed_of(session, sign_off.id)
    authz.check_acknowledge(principal, rows)
    mine = [r for r in rows if r.person_id == principal.person_id and r.acknowledged_at is None]
    if not mine:
        return rows
    now = utcnow()
    for row in mine:
        before = audit.snapshot(row)
        row.acknowledged_at = now
        row.comment = comment
        await audit_changes.record_change(
            session, principal, row, "sign_off.acknowledged", before=before
        )
    assert principal.person_id is not None
    await emit(
        session,
        events.SignOffAcknowledged(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            document_id=sign_off.document_id,
            person_id=principal.person_id,
            stage_ids=[r.stage_id for r in mine],
        ),
    )
    await session.flush()
    return rows
