"""Withdrawing an issued version whose ratification was refused.

Dorset 4.5.2: "Interim approval by a Head of Service or equivalent; documents approved in this
way should be presented to the next PPP meeting for full approval." The interim approval issues
the version at once; when the PPP Group then refuses full approval, that version is withdrawn:

- it is kept (every version is), marked withdrawn with when and why, and its pending Trix
  upload is cancelled;
- the version in force before it, if there was one, is in force again, with the status and
  review dates the document had before the interim issue, and is queued for Trix again (the
  interim version may already be there, or be uploaded by a script that is mid-way);
- with none, the document leaves force and is a draft again: the Group refused this version,
  not the document, so it is redrafted (not retired). Its page is queued for removal when the
  register knows it is on Trix; an upload that never happened needs no removal.

One ``document.issue_withdrawn`` event tells everyone involved.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.locks import lock_document
from services.domain.models.boards import Board
from services.domain.models.documents import (
    NO_LONGER_IN_FORCE,
    Document,
    DocumentStatus,
    DocumentVersion,
)
from services.domain.models.people import Person
from services.domain.models.sign_off import SignOff, SignOffDecision, SignOffStage
from services.domain.outbox.service import emit
from services.domain.sign_off.issue import BeforeIssue, in_force
from services.domain.sign_off.signals import IssueWithdrawn
from services.domain.subscribers import react


async def refusal_reason(session: AsyncSession, sign_off: SignOff) -> str:
    """Who refused ratification, at which stage, and their reasons, in one sentence."""
    rows = list(
        (
            await session.execute(
                select(SignOffDecision)
                .where(SignOffDecision.sign_off_id == sign_off.id)
                .order_by(SignOffDecision.recorded_at, SignOffDecision.id)
            )
        ).scalars()
    )
    superseded = {d.supersedes_id for d in rows if d.supersedes_id}
    refusals = [d for d in rows if d.outcome == "rejected" and d.id not in superseded]
    if not refusals:
        return "Ratification refused."
    decision = refusals[-1]
    stage = await session.get(SignOffStage, decision.stage_id)
    who: str | None = None
    if decision.decided_by_id is not None:
        person = await session.get(Person, decision.decided_by_id)
        who = person.name if person is not None else None
    elif stage is not None and stage.board_id is not None:
        board = await session.get(Board, stage.board_id)
        who = f"the {board.name}" if board is not None else None
    where = f' at "{stage.name}"' if stage is not None else ""
    by = f" by {who}" if who else ""
    reasons = " ".join(decision.reasons.split())
    text = f"Ratification refused{by}{where}"
    return f"{text}: {reasons}" if reasons else f"{text}."


async def _before_issue(
    session: AsyncSession, sign_off: SignOff, document: Document, withdrawn: DocumentVersion
) -> BeforeIssue:
    if sign_off.before_issue is not None:
        return BeforeIssue.model_validate(sign_off.before_issue)
    # Issued before the register kept what an issue replaced: the newest earlier issue that
    # is not withdrawn, and the review dates as they are.
    previous = (
        await session.execute(
            select(DocumentVersion)
            .where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.minor == 0,
                DocumentVersion.major < withdrawn.major,
                DocumentVersion.withdrawn_at.is_(None),
            )
            .order_by(DocumentVersion.major.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return BeforeIssue(
        issued_version_id=previous.id if previous is not None else None,
        next_review_due=document.next_review_due if previous is not None else None,
        review_interval_months=document.review_interval_months,
        last_reviewed_on=document.last_reviewed_on,
    )


async def _go_back(
    session: AsyncSession, sign_off: SignOff, document: Document, happened: IssueWithdrawn
) -> None:
    """The document goes back to what it was before the issue: the version in force before it
    (with its status and review dates), or a draft when there was none."""
    saved = await _before_issue(session, sign_off, document, happened.withdrawn)
    if saved.issued_version_id is not None:
        reinstated = (
            await session.execute(
                select(DocumentVersion)
                .where(DocumentVersion.id == saved.issued_version_id)
                .options(undefer(DocumentVersion.text))
            )
        ).scalar_one_or_none()
        if reinstated is not None and reinstated.withdrawn_at is None:
            happened.reinstated = reinstated
    happened.went_back = True
    # The review the interim issue completed is not done after all.
    happened.completed_review_id = saved.review_id
    document.next_review_due = saved.next_review_due
    document.review_interval_months = saved.review_interval_months
    document.last_reviewed_on = saved.last_reviewed_on
    if saved.approval is not None:
        # Who approved the version in force again, not the approval that was refused.
        document.approved_by = saved.approval.approved_by
        document.approved_on = saved.approval.approved_on
        document.forms_aligned_on = saved.approval.forms_aligned_on
        document.forms_aligned_by = saved.approval.forms_aligned_by
    if happened.reinstated is not None:
        happened.reinstated.superseded_on = None
        document.issued_version = happened.reinstated.number
        document.published_text = happened.reinstated.text
        document.status = (
            DocumentStatus.UNDER_REVIEW
            if sign_off.previous_status == DocumentStatus.UNDER_REVIEW
            else DocumentStatus.PUBLISHED
        )
    else:
        document.issued_version = None
        document.published_text = ""
        document.status = DocumentStatus.DRAFT
        document.next_review_due = None


async def withdraw_issue(
    session: AsyncSession, principal: Principal, sign_off: SignOff
) -> DocumentVersion:
    """Withdraw the version ``sign_off`` issued, its ratification refused (Dorset 4.5.2).

    Only the version: when a later one has been registered as issued since, or the document
    retired, that stays as it is and only the withdrawal is recorded.
    """
    assert sign_off.issued_version_id is not None
    # The first lock (services.domain.locks): the review it completes or reopens comes after.
    document = await lock_document(session, sign_off.document_id)
    withdrawn = await session.get(DocumentVersion, sign_off.issued_version_id)
    assert withdrawn is not None
    reason = await refusal_reason(session, sign_off)
    before = audit.snapshot(document)
    now = utcnow()
    withdrawn.withdrawn_at = now
    withdrawn.withdrawn_reason = reason
    happened = IssueWithdrawn(document, withdrawn, reason)
    # A retired document stays retired; a later issue stays in force.
    if document.issued_version == withdrawn.number and document.status not in NO_LONGER_IN_FORCE:
        await _go_back(session, sign_off, document, happened)
    # Its pending upload is cancelled, the review reopened, Tri.x brought back to what is in
    # force (reactions/trix.py, reactions/reviews.py).
    await react(session, principal, happened)
    reinstated, publication = happened.reinstated, happened.publication
    document.updated_at = now
    await session.flush()
    current = await in_force(session, document)
    await audit_changes.record_change(
        session,
        principal,
        document,
        "document.issue_withdrawn",
        before=before,
        after={
            **audit.snapshot(document),
            "version": audit.snapshot(withdrawn),
            "reinstated_version_id": str(reinstated.id) if reinstated is not None else None,
            "sign_off_id": str(sign_off.id),
        },
    )
    await emit(
        session,
        events.DocumentIssueWithdrawn(
            organisation_id=document.organisation_id,
            document_id=document.id,
            version_id=withdrawn.id,
            number=withdrawn.number,
            sign_off_id=sign_off.id,
            reason=reason,
            status=document.status,
            in_force_version_id=current.id if current is not None else None,
            in_force_number=current.number if current is not None else None,
            next_review_due=document.next_review_due,
            publication_id=publication.id if publication is not None else None,
        ),
    )
    return withdrawn
