"""Digest subscriptions: a person chooses the service areas and/or kinds of document whose
issues, changes and retirements their digest lists (neither named: everything).

Birmingham 11: "updates will be communicated via [...] the weekly email communication";
Dorset 5.2: "communicated each month [...] via the Quality Assurance Newsletter".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import launch as authz
from services.domain.authz.principal import Principal
from services.domain.db import new_id
from services.domain.errors import Invalid, NotFound
from services.domain.launch.commands import DigestChoice
from services.domain.launch.plans import MAX_AREAS
from services.domain.models.documents import DocumentKind
from services.domain.models.launch import DigestSubscription
from services.domain.models.people import Person
from services.domain.pagination import after_row

MAX_KINDS = 20


async def _person(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> Person:
    """A person of the caller's organisation; another's answers like one that does not exist."""
    person = await session.get(Person, person_id)
    if person is None or person.organisation_id != principal.organisation_id:
        raise NotFound("No such person.")
    return person


async def _clean(
    session: AsyncSession, organisation_id: uuid.UUID, choice: DigestChoice
) -> tuple[list[str], list[str]]:
    if len(choice.service_areas) > MAX_AREAS:
        raise Invalid(f"At most {MAX_AREAS} service areas.", field="service_areas")
    if len(choice.kinds) > MAX_KINDS:
        raise Invalid(f"At most {MAX_KINDS} kinds.", field="kinds")
    areas = [a.strip() for a in choice.service_areas]
    if any(not a or len(a) > 200 for a in areas):
        raise Invalid("Name each service area (at most 200 characters).", field="service_areas")
    known = set(
        (
            await session.execute(
                select(DocumentKind.key).where(DocumentKind.organisation_id == organisation_id)
            )
        ).scalars()
    )
    unknown = sorted(set(choice.kinds) - known)
    if unknown:
        raise Invalid(f"No such kind of document: {', '.join(unknown)}.", field="kinds")
    return list(dict.fromkeys(areas)), list(dict.fromkeys(choice.kinds))


async def get_subscription(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> DigestSubscription:
    """A person's subscription (their own, or anyone's for the policy team); NotFound if none."""
    await _person(session, principal, person_id)
    authz.check_subscription(principal, person_id)
    found = (
        await session.execute(
            select(DigestSubscription).where(DigestSubscription.person_id == person_id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("This person has no digest subscription.")
    return found


async def subscribe(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID, choice: DigestChoice
) -> tuple[DigestSubscription, bool]:
    """Set what a person's digest lists; (the subscription, whether it is new)."""
    person = await _person(session, principal, person_id)
    authz.check_subscription(principal, person_id)
    if not person.is_active:
        raise Invalid("This person has left: nobody would read the digest.", field="person_id")
    areas, kinds = await _clean(session, person.organisation_id, choice)
    found = (
        await session.execute(
            select(DigestSubscription)
            .where(DigestSubscription.person_id == person_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if found is None:
        found = DigestSubscription(
            id=new_id(), organisation_id=person.organisation_id, person_id=person.id,
            service_areas=areas, kinds=kinds,
        )  # fmt: skip
        session.add(found)
        await session.flush()
        await audit_changes.record_change(session, principal, found, "digest.subscribed")
        return found, True
    before = audit.snapshot(found)
    found.service_areas, found.kinds = areas, kinds
    await session.flush()
    await audit_changes.record_change(
        session, principal, found, "digest.subscription_changed", before=before
    )
    return found, False


async def unsubscribe(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> None:
    """No more digests for the person."""
    found = await get_subscription(session, principal, person_id)
    await audit_changes.record_change(session, principal, found, "digest.unsubscribed", after=None)
    await session.delete(found)
    await session.flush()


async def list_subscriptions(
    session: AsyncSession,
    principal: Principal,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[DigestSubscription]:
    """Every subscription of the organisation, oldest first (the policy team)."""
    authz.check_manage_news(principal)
    query = select(DigestSubscription).where(
        DigestSubscription.organisation_id == principal.organisation_id
    )
    if after is not None:
        query = query.where(after_row(DigestSubscription.created_at, DigestSubscription.id, after))
    query = query.order_by(DigestSubscription.created_at, DigestSubscription.id).limit(limit)
    return list((await session.execute(query)).scalars())


def lists(subscription: DigestSubscription, service_area: str | None, kind: str) -> bool:
    """Whether the subscription's digest lists an announcement of this area and kind."""
    areas: Sequence[str] = [a.lower() for a in subscription.service_areas]
    if areas and (service_area or "").strip().lower() not in areas:
        return False
    return not subscription.kinds or kind in subscription.kinds
