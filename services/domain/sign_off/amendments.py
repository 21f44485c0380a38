"""What the submitter does while a sign-off is open: change the answers to the route's
questions, send the amended draft back after an approval with conditions, or withdraw it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.errors import Conflict
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.sign_off import SignOff, SignOffStage, SignOffStatus, StageStatus
from services.domain.sign_off import stages as staging
from services.domain.sign_off.progress import close, definition_of, route_of
from services.domain.sign_off.service import check_answers, draft_of, require_gates


async def answer_questions(
    session: AsyncSession, principal: Principal, sign_off: SignOff, answers: Mapping[str, bool]
) -> SignOff:
    """Change answers (LBBD: a key decision?) while the stages they decide have not started."""
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    authz.check_submit(principal, document)
    if sign_off.status not in (SignOffStatus.IN_PROGRESS, SignOffStatus.AWAITING_AMENDMENT):
        raise Conflict(f"The sign-off is {sign_off.status}.")
    _, route_version = await route_of(session, sign_off)
    check_answers(definition_of(route_version), answers, complete=False)
    changed = {k for k, v in answers.items() if sign_off.answers.get(k) != v}
    for stage in await staging.stages_of(session, sign_off.id):
        condition = staging.stage_definition(stage).condition
        if condition and condition.question in changed and stage.status != StageStatus.PENDING:
            raise Conflict(
                f"The stage {stage.name!r} has already {stage.status.replace('_', ' ')}: "
                "its question can no longer change."
            )
    if not changed:
        return sign_off
    before = audit.snapshot(sign_off)
    sign_off.answers = {**sign_off.answers, **answers}
    await session.flush()
    await audit_changes.record_change(
        session, principal, sign_off, "sign_off.answered", before=before
    )
    return sign_off


async def amend(
    session: AsyncSession, principal: Principal, sign_off: SignOff, version_id: uuid.UUID
) -> SignOff:
    """Send the amended draft back after an approval with conditions (NCT 3.4 a vii 2-3).

    It returns to the stage that checks the conditions: the one that set them, or, when a
    higher body set them, the approver who referred it, unless that body asked to see it again.
    """
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    authz.check_submit(principal, document)
    if sign_off.status != SignOffStatus.AWAITING_AMENDMENT or sign_off.check_stage_id is None:
        raise Conflict("The sign-off is not waiting for amendments.")
    draft = await draft_of(session, document, version_id, "version_id")
    current = await session.get(DocumentVersion, sign_off.version_id)
    assert current is not None
    if (draft.major, draft.minor) <= (current.major, current.minor):
        raise Conflict(
            f"Upload the amended draft as a new version: it must be later than {current.number}."
        )
    # The amended draft is the one approved and issued: it meets the route's gates itself.
    _, route_version = await route_of(session, sign_off)
    await require_gates(session, document, draft, definition_of(route_version))
    stage = await session.get(SignOffStage, sign_off.check_stage_id)
    assert stage is not None
    before = audit.snapshot(sign_off)
    sign_off.version_id = draft.id
    sign_off.status = SignOffStatus.IN_PROGRESS
    stage.round += 1
    await session.flush()
    await audit_changes.record_change(
        session, principal, sign_off, "sign_off.amended", before=before
    )
    await staging.start_stage(session, sign_off, stage, document)
    return sign_off


async def withdraw(
    session: AsyncSession, principal: Principal, sign_off: SignOff, reason: str
) -> SignOff:
    """Take a draft out of sign-off before it is issued."""
    document = await session.get(Document, sign_off.document_id)
    assert document is not None
    authz.check_submit(principal, document)
    if sign_off.status not in (SignOffStatus.IN_PROGRESS, SignOffStatus.AWAITING_AMENDMENT):
        raise Conflict(f"The sign-off is {sign_off.status}; it can no longer be withdrawn.")
    await close(session, principal, sign_off, SignOffStatus.WITHDRAWN)
    if reason:
        await audit_changes.record_change(
            session, principal, sign_off, "sign_off.withdrawal_reason", after={"reason": reason}
        )
    return sign_off
