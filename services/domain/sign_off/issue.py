"""Issuing an approved draft: the next whole version number, dates, review due.

Cafcass 4.11: the issued version becomes 1.0 (2.0 after a revision); every draft is kept.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz.principal import Principal
from services.domain.clock import london_day, london_today, utcnow
from services.domain.db import new_id
from services.domain.documents import files
from services.domain.documents.numbering import format_number, next_number, parse_number
from services.domain.documents.review_dates import intervals_of, review_due
from services.domain.documents.versions import latest_version
from services.domain.governance.definition import RouteDefinition
from services.domain.locks import lock_document
from services.domain.models.boards import Board
from services.domain.models.documents import (
    Document,
    DocumentStatus,
    DocumentVersion,
)
from services.domain.models.meetings import Meeting
from services.domain.models.people import Person
from services.domain.models.sign_off import (
    SignOff,
    SignOffDecision,
    SignOffStage,
    StageStatus,
)
from services.domain.outbox.service import emit_many
from services.domain.subscribers import react


class Approval(BaseModel):
    """The register's record of who approved the version in force and whether its forms were
    confirmed aligned (Dorset's register fields)."""

    approved_by: str | None
    approved_on: date | None
    forms_aligned_on: date | None
    forms_aligned_by: str | None


class BeforeIssue(BaseModel):
    """What an issue replaced, kept on the sign-off (``before_issue``): if the ratification
    after it is refused (Dorset 4.5.2) the document goes back to exactly this."""

    issued_version_id: uuid.UUID | None
    next_review_due: date | None
    review_interval_months: int | None
    last_reviewed_on: date | None
    # The open review the issue completed, reopened if the issue is withdrawn.
    review_id: uuid.UUID | None = None
    # None for an issue made before the register kept it: the fields are then left as they are.
    approval: Approval | None = None


async def in_force(session: AsyncSession, document: Document) -> DocumentVersion | None:
    """The issued version the register shows as the one in force (``issued_version``)."""
    number = parse_number(document.issued_version) if document.issued_version else None
    if number is None:
        return None
    return (
        await session.execute(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.major == number[0],
                DocumentVersion.minor == number[1],
            )
        )
    ).scalar_one_or_none()


async def issue_version(
    session: AsyncSession,
    principal: Principal,
    sign_off: SignOff,
    route: RouteDefinition,
) -> DocumentVersion:
    """Issue the signed-off draft as the next whole number; the previous issue is superseded."""
    # The first lock (services.domain.locks): the review it completes or reopens comes after.
    document = await lock_document(session, sign_off.document_id)
    draft = (
        await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.id == sign_off.version_id)
            .options(undefer(DocumentVersion.text))
        )
    ).scalar_one()
    # Checked against its recorded hash when it comes from the object store.
    content = await files.load_file(session, draft)
    replaced = await in_force(session, document)
    before_issue = _before_issue(document, replaced)
    latest = await latest_version(session, document.id)
    number = next_number((latest.major, latest.minor) if latest else None, issue=True)
    today = london_today()
    effective_on = max(sign_off.effective_on or today, today)
    issued = await _add_issued(
        session, principal, draft, content, number, today=today, effective_on=effective_on
    )
    before = audit.snapshot(document)
    await _publish(session, sign_off, route, document, issued, draft, today)
    await audit_changes.record_change(
        session,
        principal,
        document,
        "document.issued",
        before=before,
        after={
            **audit.snapshot(document),
            "version": audit.snapshot(issued),
            "sign_off_id": str(sign_off.id),
        },
    )
    added, published = _issue_events(
        sign_off, document, issued, number, today=today, effective_on=effective_on
    )
    await emit_many(session, [added, published])
    sign_off.before_issue = before_issue.model_dump(mode="json")
    # The scripts must never upload a version this one supersedes; this one is queued; the
    # amended draft of an open review is issued, so that review is done, and its id is kept
    # in before_issue (reactions/trix.py, reactions/reviews.py).
    await react(session, principal, added)
    await react(session, principal, published)
    await session.flush()
    return issued


def _before_issue(document: Document, replaced: DocumentVersion | None) -> BeforeIssue:
    """What the issue replaces, as the document has it now."""
    return BeforeIssue(
        issued_version_id=replaced.id if replaced is not None else None,
        next_review_due=document.next_review_due,
        review_interval_months=document.review_interval_months,
        last_reviewed_on=document.last_reviewed_on,
        approval=Approval(
            approved_by=document.approved_by,
            approved_on=document.approved_on,
            forms_aligned_on=document.forms_aligned_on,
            forms_aligned_by=document.forms_aligned_by,
        ),
    )


def _issue_events(
    sign_off: SignOff,
    document: Document,
    issued: DocumentVersion,
    number: tuple[int, int],
    *,
    today: date,
    effective_on: date,
) -> tuple[events.DocumentVersionAdded, events.DocumentPublished]:
    added = events.DocumentVersionAdded(
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=issued.id,
        number=format_number(number),
        is_issued=True,
    )
    published = events.DocumentPublished(
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=issued.id,
        number=issued.number,
        issued_on=today,
        effective_on=effective_on,
        next_review_due=document.next_review_due,
        sign_off_id=sign_off.id,
    )
    return added, published


async def _add_issued(
    session: AsyncSession,
    principal: Principal,
    draft: DocumentVersion,
    content: bytes,
    number: tuple[int, int],
    *,
    today: date,
    effective_on: date,
) -> DocumentVersion:
    """The issued copy of the draft, numbered ``number``; every earlier issue still in force is
    superseded today."""
    issued = DocumentVersion(
        id=new_id(),
        organisation_id=draft.organisation_id,
        document_id=draft.document_id,
        major=number[0],
        minor=number[1],
        change_summary=f"Issued from draft {draft.number}"
        + (f": {draft.change_summary}" if draft.change_summary else ""),
        filename=draft.filename,
        media_type=draft.media_type,
        size_bytes=draft.size_bytes,
        sha256=draft.sha256,
        text=draft.text,
        uploaded_by_id=principal.person_id,
        created_at=utcnow(),
        issued_on=today,
        effective_on=effective_on,
    )
    session.add(issued)
    await session.flush()
    await files.save_file(session, issued, content)
    await session.execute(
        update(DocumentVersion)
        .where(
            DocumentVersion.document_id == draft.document_id,
            DocumentVersion.minor == 0,
            DocumentVersion.id != issued.id,
            DocumentVersion.superseded_on.is_(None),
            # A withdrawn version left force without a successor: nothing supersedes it.
            DocumentVersion.withdrawn_at.is_(None),
        )
        .values(superseded_on=today)
    )
    return issued


async def _publish(
    session: AsyncSession,
    sign_off: SignOff,
    route: RouteDefinition,
    document: Document,
    issued: DocumentVersion,
    draft: DocumentVersion,
    today: date,
) -> None:
    """The register shows the issued version in force, with its review date."""
    intervals = await intervals_of(
        session, document, route=route, submitted=sign_off.review_interval_months
    )
    if sign_off.review_interval_months:
        # Dorset 8.1, LBBD: the schedule agreed at approval stays with the document until a
        # later sign-off agrees another; the route's is never written over it.
        document.review_interval_months = sign_off.review_interval_months
    document.next_review_due = review_due(today, intervals)
    document.issued_version = issued.number
    document.latest_version = issued.number
    document.published_text = draft.text
    document.latest_text = draft.text
    document.status = DocumentStatus.PUBLISHED
    document.approved_by, document.approved_on = await approved_by(session, sign_off, today)
    if document.forms_aligned_on is not None and document.forms_aligned_on >= document.approved_on:
        # Dorset, Forms: a confirmation given the day of this approval, or later, was given
        # for the version before; the forms are not aligned until the Group confirms again.
        document.forms_aligned_on = document.forms_aligned_by = None
    document.updated_at = utcnow()
    sign_off.issued_version_id = issued.id
    await session.flush()


async def approved_by(
    session: AsyncSession, sign_off: SignOff, today: date
) -> tuple[str | None, date]:
    """Who approved the draft and when: the last stage before issue that approved it (Dorset
    4.5: the PPP Group, a Director, or a Head of Service on interim approval), named by its
    board, or by its post with the person who decided; the day of the meeting that decided it,
    else the day the stage finished (London)."""
    stage = (
        await session.execute(
            select(SignOffStage)
            .where(
                SignOffStage.sign_off_id == sign_off.id,
                # Stages after issue (a ratification) have not started yet.
                SignOffStage.status == StageStatus.APPROVED,
            )
            .order_by(SignOffStage.position.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if stage is None:
        return None, today
    # The approver a delegate decided for is the one who approved.
    decider = func.coalesce(SignOffDecision.on_behalf_of_id, SignOffDecision.decided_by_id)
    decided = (
        await session.execute(
            select(Person.name, Meeting.starts_at)
            .select_from(SignOffDecision)
            .outerjoin(Person, Person.id == decider)
            .outerjoin(Meeting, Meeting.id == SignOffDecision.meeting_id)
            .where(SignOffDecision.stage_id == stage.id)
            .order_by(SignOffDecision.recorded_at.desc())
            .limit(1)
        )
    ).first()
    person, meeting_at = decided if decided is not None else (None, None)
    moment = meeting_at or stage.finished_at
    on = london_day(moment) if moment is not None else today
    if stage.board_id is not None:
        board = await session.get(Board, stage.board_id)
        return (board.name if board else stage.name)[:200], on
    return (f"{stage.name} ({person})" if person else stage.name)[:200], on
