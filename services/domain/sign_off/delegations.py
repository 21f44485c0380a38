"""Delegations: an approver lends their sign-off authority to a named person for a period.

The delegate decides on the approver's behalf; the decision records both names.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.sign_off import Delegation
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person
from services.domain.sign_off.commands import NewDelegation

LONGEST = timedelta(days=366)


async def create_delegation(
    session: AsyncSession, principal: Principal, command: NewDelegation
) -> Delegation:
    """Delegate from the caller (or, for the policy team, from anyone) for a period."""
    delegator_id = command.delegator_id or principal.person_id
    if delegator_id is None:
        raise Invalid("Say whose authority is delegated.", field="delegator_id")
    authz.check_delegate(principal, delegator_id)
    delegate_id = command.delegate_id
    if delegate_id == delegator_id:
        raise Invalid("Delegate to someone else.", field="delegate_id")
    await require_active_person(session, principal.organisation_id, delegator_id, "delegator_id")
    await require_active_person(session, principal.organisation_id, delegate_id, "delegate_id")
    able = await authz.may_decide_at_all(session, [delegator_id, delegate_id])
    for person_id, field, whose in (
        (delegator_id, "delegator_id", "The person delegating"),
        (delegate_id, "delegate_id", "The delegate"),
    ):
        if person_id not in able:
            raise Invalid(
                f"{whose} holds no role that lets them decide a sign-off stage, so there is no "
                "authority to lend or to hold.",
                field=field,
            )
    starts_on = command.starts_on
    ends_on = command.ends_on
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
        reason=command.reason,
        created_by_id=principal.person_id,
    )
    session.add(delegation)
    await session.flush()
    await audit_changes.record_change(session, principal, delegation, "delegation.created")
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
    if not authz.can_read_delegation(principal, found):
        raise NotFound("No such delegation.")
    return found


async def list_delegations(
    session: AsyncSession, principal: Principal, *, current_only: bool
) -> list[Delegation]:
    """The caller's delegations (given or received); every one for the policy team."""
    query = select(Delegation).where(
        Delegation.organisation_id == principal.organisation_id,
        authz.readable_delegations(principal),
    )
    if current_only:
        query = query.where(Delegation.revoked_at.is_(None), Delegation.ends_on >= london_today())
    return list(
        (await session.execute(query.order_by(Delegation.starts_on, Delegation.id))).scalars()
    )


async def revoke_delegation(
    session: AsyncSession, principal: Principal, delegation: Delegation
) -> Delegation:
    """End a delegation early (the approver is back); decisions already taken stand."""
    authz.check_revoke_delegation(principal, delegation)
    if delegation.revoked_at is not None:
        raise Conflict("This delegation is already revoked.")
    before = audit.snapshot(delegation)
    delegation.revoked_at = utcnow()
    await session.flush()
    await audit_changes.record_change(
        session, principal, delegation, "delegation.revoked", before=before
    )
    return delegation
