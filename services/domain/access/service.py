"""API keys and the authentication of bearer credentials."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, selectinload

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import Invalid, NotFound, Unauthenticated
from services.domain.models.access import ApiKey
from services.domain.models.people import ROLES, Person, PersonRole

KEY_PREFIX = "pgv_"
# last_used_at is a hint for admins, not a log: write it at most once a minute per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PrincipalCache:
    """API keys' principals, each kept for a few seconds (``api_key_cache_seconds``).

    Only keys that authenticated are kept (an unknown key costs a query, as before), at most
    ``limit`` of them. A change to a key or a person forgets them all: at once, and again when
    the change commits, so that a request reading in between cannot keep the old principal.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._kept: dict[str, tuple[float, Principal]] = {}

    def get(self, key_hash: str) -> Principal | None:
        kept = self._kept.get(key_hash)
        if kept is None or kept[0] < time.monotonic():
            return None
        return kept[1]

    def put(self, key_hash: str, principal: Principal, seconds: float) -> None:
        if len(self._kept) >= self.limit:
            self._kept.clear()
        self._kept[key_hash] = (time.monotonic() + seconds, principal)

    def forget_all(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


PRINCIPALS = PrincipalCache()


@event.listens_for(Session, "after_flush")
def _forget_principals_on_change(session: Session, _context: object) -> None:
    """A key, a person or their roles changed in this flush, whichever use case changed them:
    no kept principal may outlive it (forgotten now, and again when the change commits)."""
    if any(
        isinstance(row, (ApiKey, Person, PersonRole)) for row in (*session.dirty, *session.deleted)
    ):
        PRINCIPALS.forget_all()
        event.listen(session, "after_commit", lambda _: PRINCIPALS.forget_all(), once=True)


def kept_principal(secret: str) -> Principal | None:
    """The principal kept for this key, if any: no session needed."""
    return PRINCIPALS.get(hash_key(secret))


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is safe (no dictionary to attack).
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str


async def create_api_key(
    session: AsyncSession,
    principal: Principal | None,
    *,
    organisation_id: uuid.UUID,
    role: str,
    name: str,
    person_id: uuid.UUID | None = None,
) -> IssuedKey:
    """Issue a key; the secret is returned once and only its hash is kept."""
    if role not in ROLES:
        raise Invalid(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", field="role")
    if person_id is not None:
        person = (
            await session.execute(
                select(Person).where(Person.id == person_id).options(selectinload(Person.roles))
            )
        ).scalar_one_or_none()
        if person is None or person.organisation_id != organisation_id:
            raise Invalid("No such person in this organisation.", field="person_id")
        held = [r.role for r in person.roles]
        if not org_authz.key_role_is_held(role, held):
            raise Invalid(
                f"{person.name} holds {', '.join(held) or 'no role'}: a key acting for them can "
                f"do only what both allow, so a {role} key would promise what it cannot do. "
                "Choose one of their roles.",
                field="role",
            )
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        organisation_id=organisation_id,
        person_id=person_id,
        name=name,
        role=role,
        prefix=secret[:12],
        key_hash=hash_key(secret),
    )
    session.add(key)
    await session.flush()
    await audit_changes.record_change(session, principal, key, "api_key.created")
    return IssuedKey(key, secret)


async def list_api_keys(session: AsyncSession, principal: Principal) -> list[ApiKey]:
    org_authz.check_manage_keys(principal)
    rows = await session.execute(
        select(ApiKey)
        .where(ApiKey.organisation_id == principal.organisation_id)
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    return list(rows.scalars())


async def get_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    org_authz.check_manage_keys(principal)
    key = await session.get(ApiKey, key_id)
    if key is None or key.organisation_id != principal.organisation_id:
        raise NotFound("No such API key.")
    return key


async def revoke_api_key(session: AsyncSession, principal: Principal, key: ApiKey) -> ApiKey:
    """Revoke a key at once; revoking twice is harmless."""
    if key.revoked_at is None:
        before = audit.snapshot(key)
        key.revoked_at = utcnow()
        await session.flush()
        await audit_changes.record_change(session, principal, key, "api_key.revoked", before=before)
    return key


# Built once: the statement is compiled once and cached, and runs as Core (no ORM objects) on
# every request. The person's roles come in the same round trip.
_KEY_BY_HASH = (
    select(
        ApiKey.id,
        ApiKey.organisation_id,
        ApiKey.person_id,
        ApiKey.role,
        ApiKey.prefix,
        ApiKey.name,
        ApiKey.revoked_at,
        ApiKey.last_used_at,
        Person.is_active,
        Person.email,
        select(func.array_agg(PersonRole.role))
        .where(PersonRole.person_id == Person.id)
        .scalar_subquery()
        .label("person_roles"),
    )
    .outerjoin(Person, Person.id == ApiKey.person_id)
    .where(ApiKey.key_hash == bindparam("key_hash"))
)


async def authenticate_api_key(
    session: AsyncSession, secret: str, cache_seconds: float = 0
) -> Principal:
    """The principal a key acts as; Unauthenticated if it is unknown, revoked or its person left.
    With ``cache_seconds``, a principal found is kept that long (see PrincipalCache)."""
    key_hash = hash_key(secret)
    if cache_seconds and (kept := PRINCIPALS.get(key_hash)) is not None:
        return kept
    # One round trip for the key, its person and their roles.
    conn = await session.connection()
    key = (await conn.execute(_KEY_BY_HASH, {"key_hash": key_hash})).first()
    if key is None or key.revoked_at is not None:
        raise Unauthenticated("The API key is not valid.")
    label = f"api key {key.prefix}… ({key.name})"
    if key.person_id is not None:
        if not key.is_active:
            raise Unauthenticated("The person this API key belongs to is no longer active.")
        label = f"{key.email} via {label}"
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        # A plain conditional UPDATE: it must not bump the key's version (its ETag) nor fail
        # when many requests with the same key arrive at once.
        await conn.execute(
            update(ApiKey)
            .where(ApiKey.id == key.id)
            .where(
                (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < now - LAST_USED_RESOLUTION)
            )
            .values(last_used_at=now)
        )
    principal = Principal(
        organisation_id=key.organisation_id,
        person_id=key.person_id,
        roles=frozenset({key.role}),
        label=label,
        api_key_id=key.id,
        # A key can do only what both its role and its person's roles allow.
        person_roles=frozenset(key.person_roles or ()) if key.person_id is not None else None,
    )
    if cache_seconds:
        PRINCIPALS.put(key_hash, principal, cache_seconds)
    return principal
