"""Delegations: an approver lends their sign-off authority to a named person for a period.

The delegate decides on the approver's behalf; the decision records both names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.access.principal import Principal
from services.domain.audit import service as audit
from services.domain.db import new_id, utcnow
from services.domain.documents.versions import london_today
from services.domain.errors import Conflict, Forbidden, Invalid, NotFound
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person
from services.domain.sign_off.models import Delegation

LONGEST = timedelta(days=366)


def current_delegators(person_id: uuid.UUID, today: date) -> Select[uuid.UUID]:
    """The approvers whose authority ``person_id`` holds today."""
    return select(Delegation.delegator_id).where(
        Delegation.delegate_id == person_id,
        Delegation.revoked_at.is_(None),
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
    )


async def create_delegation(
    session: AsyncSession, principal: Principal, fields: Mapping[str, Any]
) -> Delegation:
    """Delegate from the caller (or, for the policy team, from anyone) for a period."""
    delegator_id = fields.get("delegator_id") or principal.person_id
    if delegator_id is None:
        raise Invalid("Say whose authority is delegated.", field="delegator_id")
    if delegator_id != principal.person_id and not principal.manages_documents:
        raise Forbidden("You may delegate only your own authority.")
    delegate_id = fields["delegate_id"]
    if delegate_id == delegator_id:
        raise Invalid("Delegate to someone else.", field="delegate_id")
    await require_active_person(session, principal.organisation_id, delegator_id, "delegator_id")
    await require_active_person(session, principal.organisation_id, delegate_id, "delegate_id")
    starts_on: date = fields["starts_on"]
    ends_on: date = fields["ends_on"]
    if ends_on < starts_on:
        raise Invalid("The period ends before it starts.", field="ends_on")
    if ends_on < london_today():
        raise Invalid("The period is already over.", field="ends_on")
    if ends_on - starts_on > LONGEST:
        raise Invalid("Delegate for a year at most; renew it after.", field="ends_on")
    delegation = Delegation(
        id=new_id(),
        organisation_id=principal.organisation_id,
        delegator_id=delegator_id,
        delegate_id=delegate_id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=fields.get("reason") or "",
        created_by_id=principal.person_id,
    )
    session.add(delegation)
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=principal.organisation_id,
        action="delegation.created",
        entity_type="delegation",
        entity_id=delegation.id,
        after=audit.snapshot(delegation),
    )
    await emit(
        session,
        events.DelegationCreated(
            organisation_id=principal.organisation_id,
            delegation_id=delegation.id,
            delegator_id=delegator_id,
            delegate_id=delegate_id,
            starts_on=starts_on,
            ends_on=ends_on,
        ),
    )
    return delegation


async def get_delegation(
    session: AsyncSession, principal: Principal, delegation_id: uuid.UUID
) -> Delegation:
    found = await session.get(Delegation, delegation_id)
    if found is None or found.organisation_id != principal.organisation_id:
        raise NotFound("No such delegation.")
    if not principal.manages_documents and principal.person_id not in (
        found.delegator_id,
        found.delegate_id,
    ):
        raise NotFound("No such delegation.")
    return found


async def list_delegations(
    session: AsyncSession, principal: Principal, *, current_only: bool
) -> list[Delegation]:
    """The caller's delegations (given or received); every one for the policy team."""
    query = select(Delegation).where(Delegation.organisation_id == principal.organisation_id)
    if not principal.manages_documents:
        me = principal.person_id
        query = query.where(or_(Delegation.delegator_id == me, Delegation.delegate_id == me))
    if current_only:
        query = query.where(Delegation.revoked_at.is_(None), Delegation.ends_on >= london_today())
    return list(
        (await session.execute(query.order_by(Delegation.starts_on, Delegation.id))).scalars()
    )


async def revoke_delegation(
    session: AsyncSession, principal: Principal, delegation: Delegation
) -> Delegation:
    """End a delegation early (the approver is back); decisions already taken stand."""
    if principal.person_id != delegation.delegator_id and not principal.manages_documents:
        raise Forbidden("Only the person who delegated, or the policy team, revokes it.")
    if delegation.revoked_at is not None:
        raise Conflict("This delegation is already revoked.")
    before = audit.snapshot(delegation)
    delegation.revoked_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=delegation.organisation_id,
        action="delegation.revoked",
        entity_type="delegation",
        entity_id=delegation.id,
        before=before,
        after=audit.snapshot(delegation),
    )
    return delegation
