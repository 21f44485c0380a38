"""The staff directory: people of an organisation and the roles they hold."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.commands import UNSET
from services.domain.db import in_chunks
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.people import ROLES, Person, PersonRole
from services.domain.outbox.service import emit
from services.domain.pagination import after_row
from services.domain.people.commands import PersonChange


def _validated_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Invalid(f"Unknown role(s): {', '.join(unknown)}.", field="roles")
    return roles


def _person_query(organisation_id: uuid.UUID) -> Select[Person]:
    return (
        select(Person)
        .where(Person.organisation_id == organisation_id)
        .options(selectinload(Person.roles))
    )


async def get_person(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> Person:
    person = (
        await session.execute(
            _person_query(principal.organisation_id).where(Person.id == person_id)
        )
    ).scalar_one_or_none()
    if person is None:
        raise NotFound("No such person.")
    return person


async def find_by_email(
    session: AsyncSession, organisation_id: uuid.UUID, email: str
) -> Person | None:
    return (
        await session.execute(
            _person_query(organisation_id).where(Person.email == email.strip().lower())
        )
    ).scalar_one_or_none()


async def list_people(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
    service_area: str | None = None,
    after: Sequence[Any] | None = None,
    limit: int = 50,
) -> list[Person]:
    """People of the caller's organisation by name (of a service area, in any case, if
    given); ``after`` is the last (name, id) seen."""
    query = _person_query(principal.organisation_id)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Person.name).like(pattern), Person.email.like(pattern)))
    if role:
        query = query.where(Person.roles.any(PersonRole.role == role))
    if is_active is not None:
        query = query.where(Person.is_active.is_(is_active))
    if service_area:
        query = query.where(func.lower(Person.service_area) == service_area.strip().lower())
    if after:
        query = query.where(after_row(Person.name, Person.id, after))
    rows = await session.execute(query.order_by(Person.name, Person.id).limit(limit))
    return list(rows.scalars())


async def create_person(
    session: AsyncSession,
    principal: Principal | None,
    *,
    organisation_id: uuid.UUID,
    name: str,
    email: str,
    job_title: str | None = None,
    service_area: str | None = None,
    roles: Iterable[str] = (),
    is_active: bool = True,
) -> Person:
    """Add a person to the directory (admins and policy officers)."""
    if principal is not None:
        authz.check_new_person_roles(principal, roles)
    email = email.strip().lower()
    if await find_by_email(session, organisation_id, email) is not None:
        raise Conflict(f"{email} is already in the directory.", field="email")
    person = Person(
        organisation_id=organisation_id,
        name=name.strip(),
        email=email,
        job_title=job_title,
        service_area=service_area,
        is_active=is_active,
        roles=[PersonRole(role=r) for r in _validated_roles(roles)],
    )
    session.add(person)
    await session.flush()
    await audit_changes.record_change(
        session, principal, person, "person.created", after=person_snapshot(person)
    )
    return person


def person_snapshot(person: Person) -> dict[str, Any]:
    return {**audit.snapshot(person), "roles": [r.role for r in person.roles]}


async def update_person(
    session: AsyncSession,
    principal: Principal,
    person: Person,
    change: PersonChange,
    *,
    expected_version: int,
) -> Person:
    """Change a person's details or roles (roles: admins only)."""
    authz.check_manage_people(principal)
    if person.row_version != expected_version:
        raise PreconditionFailed("The person has changed since you read it.")
    before = person_snapshot(person)
    changes = change.given()
    if change.email is not UNSET:
        email = change.email.strip().lower()
        other = await find_by_email(session, person.organisation_id, email)
        if other is not None and other.id != person.id:
            raise Conflict(f"{email} is already in the directory.", field="email")
        person.email = email
    for field in ("name", "job_title", "service_area", "is_active"):
        if field in changes:
            setattr(person, field, changes[field])
    if change.roles is not UNSET:
        roles = _validated_roles(change.roles)
        if roles != [r.role for r in person.roles]:
            authz.check_assign_roles(principal)
            if person.id == principal.person_id and "admin" not in roles:
                raise Conflict("You cannot remove your own admin role.")
            # Keep the rows of retained roles: replacing them would insert before deleting.
            kept = {r.role: r for r in person.roles}
            person.roles = [kept.get(r) or PersonRole(role=r) for r in roles]
    after = person_snapshot(person)
    if after != before:
        # Touching a column makes the mapper bump row_version even for a roles-only change.
        person.updated_at = utcnow()
        await session.flush()
        after = person_snapshot(person)
        await audit_changes.record_change(
            session, principal, person, "person.updated", before=before, after=after
        )
    if before["is_active"] and not person.is_active:
        # Everything they hold needs a new holder: the policy team is told (handover).
        await emit(
            session,
            events.PeopleLeft(organisation_id=person.organisation_id, person_ids=[person.id]),
        )
    return person


async def mark_left(
    session: AsyncSession,
    principal: Principal,
    people: Sequence[Person],
    *,
    filename: str = "",
    source: Literal["directory", "staff_list"] = "staff_list",
) -> list[Person]:
    """Make the active ones of ``people`` inactive, as a staff list says they have left: an
    audit record each and one ``people.left`` for them all (the policy team is told once)."""
    authz.check_manage_people(principal)
    left = []
    for person in people:
        if not person.is_active:
            continue
        before = person_snapshot(person)
        person.is_active = False
        person.updated_at = utcnow()
        left.append((person, before))
    if not left:
        return []
    await session.flush()
    for person, before in left:
        await audit_changes.record_change(
            session, principal, person, "person.left", before=before, after=person_snapshot(person)
        )
    await emit(
        session,
        events.PeopleLeft(
            organisation_id=principal.organisation_id,
            person_ids=[person.id for person, _ in left],
            source=source,
            filename=filename,
        ),
    )
    return [person for person, _ in left]


async def require_active_person(
    session: AsyncSession, organisation_id: uuid.UUID, person_id: uuid.UUID | None, field: str
) -> None:
    """Invalid (naming ``field``) unless the person is an active member of the organisation."""
    if person_id is None:
        return
    person = await session.get(Person, person_id)
    _require_active(person, organisation_id, field)


async def require_active_people(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    wanted: Sequence[tuple[uuid.UUID | None, str]],
) -> None:
    """``require_active_person`` for each (person, field) in order, reading them all at once."""
    ids = list({person_id for person_id, _ in wanted if person_id is not None})
    found: dict[uuid.UUID, Person | None] = {}
    if len(ids) == 1:  # often already in the session: no statement at all
        found[ids[0]] = await session.get(Person, ids[0])
    else:
        for chunk in in_chunks(ids):
            rows = await session.execute(select(Person).where(Person.id.in_(chunk)))
            found.update({person.id: person for person in rows.scalars()})
    for person_id, field in wanted:
        if person_id is not None:
            _require_active(found.get(person_id), organisation_id, field)


def _require_active(person: Person | None, organisation_id: uuid.UUID, field: str) -> None:
    if person is None or person.organisation_id != organisation_id:
        raise Invalid("No such person in this organisation.", field=field)
    if not person.is_active:
        raise Invalid(f"{person.name} is no longer active.", field=field)
