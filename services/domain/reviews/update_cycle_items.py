"""An update cycle item's outcome, recorded by its assignee (NCT 3.4 a iii: the RO accepts,
rejects or amends the recommended amendment), and its match to a document and an assignee,
changed by the policy team (NCT 3.4 a ii: each item goes to the RO of its chapter).

Changing an item locks its cycle FOR SHARE first (update_cycles.get_item), so an item never
changes under a close.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.directory import holding
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.commands import UNSET
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.models.reviews import (
    UpdateCycle,
    UpdateCycleItem,
    UpdateCycleItemStatus,
    UpdateCycleStatus,
)
from services.domain.outbox.service import emit
from services.domain.reviews.commands import ItemChange

OUTCOMES = (
    UpdateCycleItemStatus.ACCEPTED,
    UpdateCycleItemStatus.REJECTED,
    UpdateCycleItemStatus.AMENDED,
)


async def _active_person(
    session: AsyncSession, organisation_id: uuid.UUID, person_id: uuid.UUID
) -> Person:
    person = await session.get(Person, person_id)
    if person is None or person.organisation_id != organisation_id or not person.is_active:
        raise Invalid("No active person of this organisation has that id.", field="assigned_to_id")
    if not await holding(session, [person.id], P.REVIEWS_RUN):
        raise Invalid(
            f"{person.name} holds no role that lets them record the outcome of an item "
            "(author, approver or the policy team's).",
            field="assigned_to_id",
        )
    return person


async def _match(session: AsyncSession, item: UpdateCycleItem, change: ItemChange) -> None:
    """Match the item to the document the change names (its acting RO assigned, unless the
    change names the assignee too) and give it to the assignee the change names."""
    if change.document_id is not UNSET:
        document = None
        if change.document_id is not None:
            document = await session.get(Document, change.document_id)
            if document is None or document.organisation_id != item.organisation_id:
                raise Invalid("No document of this organisation has that id.", field="document_id")
        item.document_id = document.id if document else None
        if change.assigned_to_id is UNSET:
            item.assigned_to_id = acting_responsible_officer_id(document) if document else None
    if change.assigned_to_id is not UNSET:
        person_id = change.assigned_to_id
        if person_id is not None:
            await _active_person(session, item.organisation_id, person_id)
        item.assigned_to_id = person_id


async def update_item(
    session: AsyncSession,
    principal: Principal,
    item: UpdateCycleItem,
    change: ItemChange,
) -> UpdateCycleItem:
    """Record the outcome (the assignee or the policy team), or match the item to another
    document and assignee (the policy team). Changing a document without naming an assignee
    assigns its acting RO."""
    cycle = await session.get(UpdateCycle, item.cycle_id)
    assert cycle is not None
    if change.document_id is not UNSET or change.assigned_to_id is not UNSET:
        authz.check_manage_cycles(principal)
    if change.status is not UNSET or change.outcome_note is not UNSET:
        authz.check_record_outcome(principal, item)
    if cycle.status != UpdateCycleStatus.OPEN or item.status == UpdateCycleItemStatus.CARRIED_OVER:
        raise Conflict("This item's cycle is closed: change it in the cycle it was carried to.")
    before = audit.snapshot(item)
    await _match(session, item, change)
    if change.status is not UNSET and change.status is not None:
        if change.status not in OUTCOMES:
            raise Invalid(f"An outcome is one of: {', '.join(OUTCOMES)}.", field="status")
        item.status = UpdateCycleItemStatus(change.status)
        item.decided_by_id = principal.person_id
        item.decided_at = utcnow()
    if change.outcome_note is not UNSET and change.outcome_note is not None:
        item.outcome_note = change.outcome_note
    await session.flush()
    await audit_changes.record_change(
        session, principal, item, "update_cycle_item.updated", before=before
    )
    previous = uuid.UUID(before["assigned_to_id"]) if before.get("assigned_to_id") else None
    if item.assigned_to_id is not None and item.assigned_to_id != previous:
        # NCT 6.1: the RO is given the amendment to review and the RSM is notified.
        await emit(
            session,
            events.UpdateCycleItemAssigned(
                organisation_id=item.organisation_id,
                cycle_id=cycle.id,
                item_id=item.id,
                document_id=item.document_id,
                assigned_to_id=item.assigned_to_id,
                previous_assigned_to_id=previous,
            ),
        )
    return item
