"""A change to a statutory source, and the batch of reviews it opens.

NCT 3.2: "changes in legislation or statutory guidance" call for an unscheduled review. One
change, recorded by the policy team or read from the source's feed, opens in one transaction
an unscheduled review (trigger ``legislation_or_guidance_change``) of every linked document in
force. A document already under review has the change attached to its open review (one open
review per document is a rule of the database); an issued document whose new draft is going
through, or one not in force, is listed without a review. Each document's outcome is an
impact row (``impact.py`` reports them), and each owner and RO is told once
(``notices.py``). If anything fails, nothing of the batch is written.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events, subscribers
from services.domain.audit import service as audit
from services.domain.audit.changes import record_change as audit_change
from services.domain.authz import statutory_sources as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_day, utcnow
from services.domain.db import new_id
from services.domain.errors import NotFound
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.statutory_sources import (
    ChangeOrigin,
    ImpactOutcome,
    SourceKind,
    StatutorySource,
    StatutorySourceChange,
    StatutorySourceImpact,
    StatutorySourceLink,
)
from services.domain.outbox.service import emit
from services.domain.pagination import before_row
from services.domain.statutory_sources.commands import NewChange
from services.domain.statutory_sources.feed import FeedEntry
from services.domain.statutory_sources.service import get_source
from services.domain.statutory_sources.signals import ChangeRecorded

# A review's trigger_detail holds at most this much.
DETAIL_LIMIT = 5000
KIND_WORDS = {
    SourceKind.ACT: "Act",
    SourceKind.STATUTORY_GUIDANCE: "statutory guidance",
    SourceKind.INSPECTION_FRAMEWORK: "inspection framework",
    SourceKind.OTHER: "source",
}
# An issued document whose next version is on its way: no review can start, the amendment
# in hand should take the change in.
BEING_AMENDED = (
    DocumentStatus.IN_CONSULTATION,
    DocumentStatus.AWAITING_APPROVAL,
    DocumentStatus.APPROVED,
)


def trigger_detail(source: StatutorySource, change: StatutorySourceChange) -> str:
    """What the reviews say prompted them: the source, the change and where it came from."""
    words = KIND_WORDS.get(source.kind, "source")
    lines = [f"Change to {source.title} ({words}): {change.summary}"]
    if change.effective_on is not None:
        lines.append(f"Takes effect on {change.effective_on.isoformat()}.")
    if change.feed_entry_link or source.url:
        lines.append(f"See {change.feed_entry_link or source.url}")
    lines.append(f"(statutory source change {change.id})")
    return "\n".join(lines)[:DETAIL_LIMIT]


async def record_source_change(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID, command: NewChange
) -> StatutorySourceChange:
    """Record a change to a source (the policy team) and open the reviews it calls for."""
    authz.check_manage(principal)
    source = await get_source(session, principal, source_id, for_update=True)
    change = StatutorySourceChange(
        id=new_id(),
        organisation_id=source.organisation_id,
        source_id=source.id,
        summary=command.summary,
        effective_on=command.effective_on,
        origin=ChangeOrigin.API,
        feed_entry_link=command.link,
        recorded_by_id=principal.person_id,
        created_at=utcnow(),
    )
    await apply_change(session, principal, source, change)
    return change


def _feed_change(
    source: StatutorySource, entry: FeedEntry, on: date | None
) -> StatutorySourceChange:
    summary = entry.title if not entry.summary else f"{entry.title}: {entry.summary}"
    return StatutorySourceChange(
        id=new_id(),
        organisation_id=source.organisation_id,
        source_id=source.id,
        summary=summary[:DETAIL_LIMIT],
        effective_on=on,
        origin=ChangeOrigin.FEED,
        feed_entry_id=entry.entry_id,
        feed_entry_link=entry.link,
        recorded_by_id=None,
        created_at=utcnow(),
    )


async def record_feed_entries(
    session: AsyncSession, principal: Principal, source: StatutorySource, entries: list[FeedEntry]
) -> list[StatutorySourceChange]:
    """Record each entry not seen before as a change (oldest first), each with its batch.
    An entry is recorded once, however often the feed is read; one updated before the
    feed was named is history. ``source`` is locked by the caller."""
    seen = set(
        (
            await session.execute(
                select(StatutorySourceChange.feed_entry_id).where(
                    StatutorySourceChange.source_id == source.id,
                    StatutorySourceChange.feed_entry_id.in_([e.entry_id for e in entries]),
                )
            )
        ).scalars()
    )
    since = source.feed_since
    fresh = [
        entry
        for entry in entries
        if entry.entry_id not in seen
        and not (since is not None and entry.updated is not None and entry.updated < since)
    ]
    # Atom lists the newest first; the oldest change is recorded (and opens reviews) first.
    fresh.sort(key=lambda e: (e.updated is None, e.updated or utcnow()))
    recorded, ids = [], set()
    for entry in fresh:
        if entry.entry_id in ids:
            continue  # the same id twice in one feed: once
        ids.add(entry.entry_id)
        on = london_day(entry.updated) if entry.updated is not None else None
        change = _feed_change(source, entry, on)
        await apply_change(session, principal, source, change)
        recorded.append(change)
    return recorded


async def _linked_documents(session: AsyncSession, source: StatutorySource) -> list[Document]:
    # Locked in id order, the order every batch takes them in: two batches never wait on
    # each other in a circle.
    query = (
        select(Document)
        .join(StatutorySourceLink, StatutorySourceLink.document_id == Document.id)
        .where(StatutorySourceLink.source_id == source.id)
        .order_by(Document.id)
        .with_for_update(of=Document)
    )
    return list((await session.execute(query)).scalars())


def _outcome(
    document: Document, status: DocumentStatus, signal: ChangeRecorded
) -> tuple[ImpactOutcome, uuid.UUID | None]:
    if document.id in signal.opened:
        return ImpactOutcome.REVIEW_OPENED, signal.opened[document.id]
    if document.id in signal.attached or status == DocumentStatus.UNDER_REVIEW:
        # Under review with no review record (registered so, or imported from a tracker):
        # still in force and being reviewed, with nothing to attach the change to.
        return ImpactOutcome.ALREADY_UNDER_REVIEW, signal.attached.get(document.id)
    if status in BEING_AMENDED and document.issued_version is not None:
        return ImpactOutcome.BEING_AMENDED, None
    return ImpactOutcome.NOT_IN_FORCE, None


async def apply_change(
    session: AsyncSession,
    principal: Principal,
    source: StatutorySource,
    change: StatutorySourceChange,
) -> list[StatutorySourceImpact]:
    """Write the change, open (or attach to) the reviews, write the impact rows, the audit
    record and the event, all in the caller's transaction."""
    session.add(change)
    await session.flush()
    documents = await _linked_documents(session, source)
    statuses = {document.id: document.status for document in documents}
    signal = ChangeRecorded(source, change, documents, trigger_detail(source, change))
    # reactions/statutory_sources.py opens the reviews: another workflow's records.
    await subscribers.react(session, principal, signal)
    impacts = []
    for document in sorted(documents, key=lambda d: d.reference):
        outcome, review_id = _outcome(document, statuses[document.id], signal)
        impacts.append(
            StatutorySourceImpact(
                id=new_id(),
                organisation_id=change.organisation_id,
                change_id=change.id,
                document_id=document.id,
                reference=document.reference,
                title=document.title,
                document_status=statuses[document.id],
                outcome=outcome,
                review_id=review_id,
                owner_id=document.owner_id,
                responsible_officer_id=document.responsible_officer_id,
            )
        )
    session.add_all(impacts)
    await session.flush()
    opened, attached = len(signal.opened), len(signal.attached)
    await audit_change(
        session,
        principal,
        change,
        "statutory_source.change_recorded",
        after={
            **audit.snapshot(change),
            "reviews_opened": opened,
            "already_under_review": attached,
        },
    )
    await emit(
        session,
        events.StatutorySourceChanged(
            organisation_id=change.organisation_id,
            source_id=source.id,
            change_id=change.id,
            reviews_opened=opened,
            already_under_review=attached,
            documents=len(documents),
        ),
    )
    return impacts


async def get_change(
    session: AsyncSession, principal: Principal, change_id: uuid.UUID
) -> tuple[StatutorySource, StatutorySourceChange]:
    """A recorded change of the caller's organisation, with its source."""
    authz.check_read(principal)
    change = (
        await session.execute(
            select(StatutorySourceChange).where(
                StatutorySourceChange.id == change_id,
                StatutorySourceChange.organisation_id == principal.organisation_id,
            )
        )
    ).scalar_one_or_none()
    if change is None:
        raise NotFound("No such change.")
    return await get_source(session, principal, change.source_id), change


async def list_changes(
    session: AsyncSession,
    principal: Principal,
    source_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[StatutorySourceChange]:
    """The changes recorded to a source, newest first."""
    source = await get_source(session, principal, source_id)
    query = select(StatutorySourceChange).where(StatutorySourceChange.source_id == source.id)
    if after is not None:
        query = query.where(
            before_row(StatutorySourceChange.created_at, StatutorySourceChange.id, after)
        )
    query = query.order_by(StatutorySourceChange.created_at.desc(), StatutorySourceChange.id.desc())
    return list((await session.execute(query.limit(limit))).scalars())
