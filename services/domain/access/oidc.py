"""OIDC JWT bearer tokens: verified against the issuer's JWKS, mapped to a person by email."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.domain.authz.principal import Principal
from services.domain.errors import Unauthenticated
from services.domain.models.organisations import Organisation
from services.domain.models.people import ROLES, Person
from services.domain.settings import Settings


@dataclass
class JwksCache:
    """The issuer's signing keys, fetched on first use and refreshed when stale or unknown."""

    url: str
    max_age_seconds: int
    _keys: jwt.PyJWKSet | None = None
    _fetched_at: float = field(default=0.0)

    async def key_for(self, kid: str | None) -> jwt.PyJWK:
        if self._keys is None or time.monotonic() - self._fetched_at > self.max_age_seconds:
            await self._refresh()
        key = self._find(kid)
        if key is None and time.monotonic() - self._fetched_at > 10:
            # A rotated key: fetch again, but not more than every ten seconds.
            await self._refresh()
            key = self._find(kid)
        if key is None:
            raise Unauthenticated("The token was signed with a key the issuer does not publish.")
        return key

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        assert self._keys is not None
        for key in self._keys.keys:
            if kid is None or key.key_id == kid:
                return key
        return None

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                self._keys = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            raise Unauthenticated("The token issuer's keys could not be fetched.") from exc
        self._fetched_at = time.monotonic()


def _roles_from_claim(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        return frozenset()
    return frozenset(str(v) for v in value) & frozenset(ROLES)


async def authenticate_jwt(
    session: AsyncSession, settings: Settings, jwks: JwksCache, token: str
) -> Principal:
    """The principal an OIDC access token stands for, or Unauthenticated."""
    try:
        header = jwt.get_unverified_header(token)
        key = await jwks.key_for(header.get("kid"))
        claims = jwt.decode(
            token,
            key=key,
            algorithms=settings.oidc_algorithms,
            audience=settings.oidc_audience,
            issuer=settings.oidc_issuer,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"The token is not valid: {exc}.") from exc
    email = claims.get(settings.oidc_email_claim)
    if not isinstance(email, str) or not email:
        raise Unauthenticated(f"The token has no {settings.oidc_email_claim!r} claim.")
    if claims.get("email_verified") is False:
        # The issuer says it has not checked this address: it proves nothing about who this is.
        raise Unauthenticated("The token's email address is not verified by its issuer.")
    query = (
        select(Person)
        .where(func.lower(Person.email) == email.lower(), Person.is_active.is_(True))
        .options(selectinload(Person.roles))
    )
    slug = claims.get(settings.oidc_organisation_claim)
    if slug:
        query = query.join(Organisation, Organisation.id == Person.organisation_id).where(
            Organisation.slug == slug
        )
    people = list((await session.execute(query)).scalars())
    if len(people) != 1:
        raise Unauthenticated(
            "No single active person matches this token"
            + ("" if slug else f"; add an {settings.oidc_organisation_claim!r} claim")
            + "."
        )
    person = people[0]
    if settings.oidc_roles_claim in claims:
        roles = _roles_from_claim(claims[settings.oidc_roles_claim])
    else:
        roles = frozenset(r.role for r in person.roles)
    return Principal(
        organisation_id=person.organisation_id,
        person_id=person.id,
        roles=roles,
        label=f"{person.email} via OIDC",
    )
