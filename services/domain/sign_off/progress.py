"""The stage machine: what comes after a stage is decided. The next stage that applies starts;
when none before issue is left the draft is issued; when none is left at all, or the sign-off
is rejected or withdrawn, it closes.

Starting a stage and who decides it are in ``stages``; issuing in ``issue``; withdrawing an
issue whose ratification was refused in ``withdrawal``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz.principal import Principal
from services.domain.boards import agenda
from services.domain.clock import utcnow
from services.domain.governance.definition import RouteDefinition
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.governance import GovernanceRoute, RouteVersion
from services.domain.models.meetings import AgendaItem, AgendaItemStatus
from services.domain.models.sign_off import SignOff, SignOffStage, SignOffStatus, StageStatus
from services.domain.outbox.service import emit
from services.domain.sign_off import stages as staging
from services.domain.sign_off.issue import issue_version
from services.domain.sign_off.withdrawal import withdraw_issue
from services.domain.text import STORED

# Where the document goes back to when a sign-off ends without an issue.
RESTING = {
    DocumentStatus.AWAITING_APPROVAL: DocumentStatus.DRAFT,
    DocumentStatus.IN_CONSULTATION: DocumentStatus.DRAFT,
}


async def route_of(
    session: AsyncSession, sign_off: SignOff
) -> tuple[GovernanceRoute, RouteVersion]:
    version = await session.get(RouteVersion, sign_off.route_version_id)
    assert version is not None
    route = await session.get(GovernanceRoute, version.route_id)
    assert route is not None
    return route, version


def definition_of(version: RouteVersion) -> RouteDefinition:
    return RouteDefinition.model_validate(version.definition, context=STORED)


async def advance(session: AsyncSession, principal: Principal, sign_off: SignOff) -> None:
    """Start the next stage that applies; issue the draft when no stage before issue is left."""
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    if sign_off.status == SignOffStatus.IN_PROGRESS:
        stage = await staging.next_pending(session, sign_off, after_issue=False)
        if stage is not None:
            await staging.start_stage(session, sign_off, stage, document)
            return
        _, route_version = await route_of(session, sign_off)
        await issue_version(session, principal, sign_off, definition_of(route_version))
        sign_off.status = SignOffStatus.ISSUED
    if sign_off.status == SignOffStatus.ISSUED:
        stage = await staging.next_pending(session, sign_off, after_issue=True)
        if stage is not None:
            await staging.start_stage(session, sign_off, stage, document)
            return
        await close(session, principal, sign_off, SignOffStatus.COMPLETED)


async def close(
    session: AsyncSession, principal: Principal, sign_off: SignOff, status: SignOffStatus
) -> None:
    """End a sign-off; unless it issued the draft, the document goes back to where it was.

    A refused ratification withdraws the version the sign-off issued (``withdrawal``).
    """
    if status == SignOffStatus.RATIFICATION_REFUSED and sign_off.issued_version_id is not None:
        # Dorset 4.5.2: the version issued on interim approval is withdrawn.
        await withdraw_issue(session, principal, sign_off)
    before = audit.snapshot(sign_off)
    sign_off.status = status
    sign_off.closed_at = utcnow()
    if sign_off.issued_version_id is None:
        document = await session.get(Document, sign_off.document_id)
        assert document is not None
        document.status = RESTING.get(sign_off.previous_status, sign_off.previous_status)
    for stage in await staging.stages_of(session, sign_off.id):
        if stage.status in (StageStatus.PENDING, StageStatus.ACTIVE):
            stage.status = (
                StageStatus.CANCELLED
                if status in (SignOffStatus.WITHDRAWN, SignOffStatus.REJECTED)
                else StageStatus.SKIPPED
            )
            stage.finished_at = utcnow()
            await _withdraw_agenda_item(session, principal, stage)
    await session.flush()
    await audit_changes.record_change(
        session, principal, sign_off, f"sign_off.{status}", before=before
    )
    await emit(
        session,
        events.SignOffClosed(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            document_id=sign_off.document_id,
            status=status,
        ),
    )


async def _withdraw_agenda_item(
    session: AsyncSession, principal: Principal, stage: SignOffStage
) -> None:
    """A board no longer needs to decide an item whose sign-off has ended."""
    if stage.agenda_item_id is None:
        return
    item = await session.get(AgendaItem, stage.agenda_item_id)
    if item is not None and item.status == AgendaItemStatus.PLANNED:
        engine = staging.engine_principal(
            stage.organisation_id, principal.person_id, principal.label
        )
        await agenda.withdraw_item(session, engine, item, expected_version=item.row_version)
