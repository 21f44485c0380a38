"""A parent with hundreds of linked documents does not stall its issue (issue 20, item 1):
at most REVIEWS_PER_ISSUE reviews are opened, the rest flagged, all in one transaction, with
one event for the emails. Prints how long the cascade took (run with -s to see it)."""

from __future__ import annotations

import time

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.documents.service import create_documents
from services.domain.models.cascades import CascadeStatus
from services.domain.models.documents import Document, DocumentLink, DocumentStatus
from services.domain.models.outbox import OutboxEvent
from services.domain.reviews import cascades
from tests.factories import create_org

CHILDREN = 300


def _new(reference: str, kind: str, owner: object) -> NewDocument:
    return NewDocument.of(
        {"reference": reference, "title": f"Document {reference}", "kind": kind, "owner_id": owner}
    )


async def _parent_with_children(session: AsyncSession) -> cascades.Issue:
    org = await create_org(session, "scale")
    system = Principal.system(org.id, "test")
    owner = org.approver.person_id
    parent, *children = await create_documents(
        session,
        system,
        [_new("POL-1", "policy", owner)]
        + [_new(f"PROC-{i:03}", "procedure", owner) for i in range(CHILDREN)],
        tell_people=False,
    )
    await session.execute(
        update(Document)
        .where(Document.id.in_([c.id for c in children]))
        .values(status=DocumentStatus.PUBLISHED, issued_version="1.0")
    )
    session.add_all(
        DocumentLink(
            organisation_id=org.id, source_id=parent.id, target_id=child.id, kind="governs"
        )
        for child in children
    )
    issued = []
    for text in (b"# 1", b"# 2"):
        issued.append(
            await versions.add_version(
                session,
                system,
                parent,
                filename="p.md",
                content=text,
                declared_media_type="text/markdown",
                change_summary="",
                issue=True,
                max_bytes=1000,
                issued_on=london_today(),
            )
        )
    return cascades.Issue(parent, issued[1], issued[0])


async def test_three_hundred_children_get_25_reviews_and_275_flags_in_one_go(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        issue = await _parent_with_children(session)
        started = time.perf_counter()
        flags = await cascades.cascade_issue(session, None, issue)
        took = time.perf_counter() - started
        print(f"\ncascade of {CHILDREN} children: {took:.2f}s")
        statuses = [flag.status for flag in flags]
        assert statuses.count(CascadeStatus.REVIEW_OPENED) == cascades.REVIEWS_PER_ISSUE
        assert statuses.count(CascadeStatus.OPEN) == CHILDREN - cascades.REVIEWS_PER_ISSUE
        events = await session.scalar(
            select(func.count()).where(OutboxEvent.type == "review.parent_changed")
        )
        assert events == 1
        # Generous: the point is that it does not grow with hundreds of reviews.
        assert took < 10, took
        await session.rollback()
