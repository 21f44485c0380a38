"""The policy team (services/domain/people/policy_team.py): one definition for every notice
and request that must reach the central team."""

from __future__ import annotations

from sqlalchemy import update

from services.domain.models.people import Person, PersonRole
from services.domain.people.policy_team import policy_contact, policy_team
from tests.factories import World


async def add_person(world: World, name: str, role: str, *, active: bool = True) -> Person:
    async with world.sessionmaker() as session, session.begin():
        person = Person(
            organisation_id=world.a.id,
            name=name,
            email=f"{name.lower().replace(' ', '.')}@alpha.example.org",
            is_active=active,
        )
        session.add(person)
        await session.flush()
        session.add(
            PersonRole(organisation_id=person.organisation_id, person_id=person.id, role=role)
        )
    return person


async def team_names(world: World) -> list[str]:
    async with world.sessionmaker() as session:
        return [person.name for person in await policy_team(session, world.a.id)]


async def test_the_team_is_the_active_policy_officers_of_the_organisation_by_name(
    world: World,
) -> None:
    await add_person(world, "Aaron Ahmed", "policy_officer")
    await add_person(world, "Abi Left", "policy_officer", active=False)
    # The other organisation's policy officer and this one's admin are not in the team.
    assert await team_names(world) == ["Aaron Ahmed", "Policy Officer of alpha"]


async def test_with_no_active_policy_officer_the_admins_stand_in(world: World) -> None:
    await add_person(world, "Zoe Admin", "admin")
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Person)
            .where(Person.id == world.a.policy_officer.person_id)
            .values(is_active=False)
        )
    assert await team_names(world) == ["Admin of alpha", "Zoe Admin"]
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Person).where(Person.organisation_id == world.a.id).values(is_active=False)
        )
    assert await team_names(world) == []


async def test_the_contact_named_in_notices_is_the_first_of_the_team(world: World) -> None:
    await add_person(world, "Aaron Ahmed", "policy_officer")
    async with world.sessionmaker() as session:
        contact = await policy_contact(session, world.a.id)
        assert contact is not None and contact.name == "Aaron Ahmed"
        # Read once per session: a relay round tells many people of one organisation.
        assert session.info["policy_contacts"][world.a.id] is contact
        other = await policy_contact(session, world.b.id)
        assert other is not None and other.name == "Policy Officer of beta"
