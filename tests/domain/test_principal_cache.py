"""API keys' principals kept for a few seconds (api_key_cache_seconds): most requests need no
query to authenticate, and no change to a key or a person is missed for longer than that."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text

from services.domain.access import service as access
from services.domain.errors import Unauthenticated
from services.domain.people import service as people
from services.domain.people.commands import PersonChange
from tests.factories import World


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    access.PRINCIPALS.forget_all()


async def authenticate(world: World, key: str, seconds: float = 60) -> object:
    async with world.sessionmaker() as session, session.begin():
        return await access.authenticate_api_key(session, key, seconds)


async def test_a_kept_principal_needs_no_query(world: World) -> None:
    first = await authenticate(world, world.a.reader.key)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async with world.sessionmaker() as session:
        conn = await session.connection()
        event.listen(conn.sync_connection, "before_cursor_execute", seen)
        assert await access.authenticate_api_key(session, world.a.reader.key, 60) is first
        access.PRINCIPALS.forget_all()
        await access.authenticate_api_key(session, world.a.reader.key, 60)
    assert len(statements) == 1  # only once it was forgotten


async def test_a_change_made_by_another_process_is_seen_once_the_time_is_up(world: World) -> None:
    await authenticate(world, world.a.author.key, seconds=0.3)
    async with world.sessionmaker() as session, session.begin():
        # As another API process or the command line would: straight to the database.
        await session.execute(text("UPDATE api_keys SET revoked_at = now()"))
    await authenticate(world, world.a.author.key, seconds=0.3)  # still kept
    await asyncio.sleep(0.35)
    with pytest.raises(Unauthenticated):
        await authenticate(world, world.a.author.key, seconds=0.3)


async def test_without_a_cache_every_request_asks_the_database(world: World) -> None:
    await authenticate(world, world.a.author.key, seconds=0)
    async with world.sessionmaker() as session, session.begin():
        await session.execute(text("UPDATE api_keys SET revoked_at = now()"))
    with pytest.raises(Unauthenticated):
        await authenticate(world, world.a.author.key, seconds=0)


async def test_a_key_revoked_in_this_process_stops_at_once_even_if_read_before_the_commit(
    world: World,
) -> None:
    await authenticate(world, world.a.reader.key)
    async with world.sessionmaker() as revoking, revoking.begin():
        admin = await access.authenticate_api_key(revoking, world.a.admin.key)
        [key] = [k for k in await access.list_api_keys(revoking, admin) if k.name == "reader key"]
        await access.revoke_api_key(revoking, admin, key)
        # A request in between, before the revocation commits, finds the key still valid.
        await authenticate(world, world.a.reader.key)
    with pytest.raises(Unauthenticated):
        await authenticate(world, world.a.reader.key)


async def test_a_person_deactivated_or_given_other_roles_is_seen_at_once(world: World) -> None:
    before = await authenticate(world, world.a.approver.key)
    assert before.person_roles == frozenset({"approver"})  # type: ignore[attr-defined]
    async with world.sessionmaker() as session, session.begin():
        admin = await access.authenticate_api_key(session, world.a.admin.key)
        person = await people.get_person(session, admin, world.a.approver.person_id)
        await people.update_person(
            session,
            admin,
            person,
            PersonChange(roles=["reader"]),
            expected_version=person.row_version,
        )
    after = await authenticate(world, world.a.approver.key)
    assert after.person_roles == frozenset({"reader"})  # type: ignore[attr-defined]
    async with world.sessionmaker() as session, session.begin():
        admin = await access.authenticate_api_key(session, world.a.admin.key)
        person = await people.get_person(session, admin, world.a.approver.person_id)
        await people.update_person(
            session,
            admin,
            person,
            PersonChange(is_active=False),
            expected_version=person.row_version,
        )
    with pytest.raises(Unauthenticated):
        await authenticate(world, world.a.approver.key)


async def test_unknown_keys_are_not_kept_and_the_cache_has_a_bound(world: World) -> None:
    for n in range(3):
        with pytest.raises(Unauthenticated):
            await authenticate(world, f"pgv_unknown{n}")
    assert access.PRINCIPALS.get(access.hash_key("pgv_unknown0")) is None
    small = access.PrincipalCache(limit=2)
    principal = await authenticate(world, world.a.reader.key)
    for n in range(5):
        small.put(str(n), principal, 60)  # type: ignore[arg-type]
        assert len(small) <= 2
