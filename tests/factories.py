"""Small builders for test data, going through the domain functions as the API would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.access import service as access
from services.domain.organisations import service as organisations
from services.domain.people import service as people

ROLES = ("admin", "policy_officer", "author", "approver", "reader", "integration")


@dataclass
class Member:
    person_id: uuid.UUID | None
    email: str | None
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Org:
    id: uuid.UUID
    slug: str
    members: dict[str, Member] = field(default_factory=dict)

    def __getattr__(self, role: str) -> Member:
        try:
            return self.members[role]
        except KeyError:
            raise AttributeError(role) from None


@dataclass
class World:
    a: Org
    b: Org
    sessionmaker: async_sessionmaker[AsyncSession]


async def create_org(session: AsyncSession, slug: str) -> Org:
    org = await organisations.create_organisation(session, slug=slug, name=f"Org {slug}")
    result = Org(id=org.id, slug=slug)
    for role in ROLES:
        person_id, email = None, None
        if role != "integration":
            email = f"{role}@{slug}.example.org"
            person = await people.create_person(
                session,
                None,
                organisation_id=org.id,
                name=f"{role.replace('_', ' ').title()} of {slug}",
                email=email,
                roles=[role],
            )
            person_id = person.id
        issued = await access.create_api_key(
            session,
            None,
            organisation_id=org.id,
            role=role,
            name=f"{role} key",
            person_id=person_id,
        )
        result.members[role] = Member(person_id, email, issued.secret)
    return result


async def build_world(sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    async with sessionmaker() as session, session.begin():
        a = await create_org(session, "alpha")
        b = await create_org(session, "beta")
    return World(a=a, b=b, sessionmaker=sessionmaker)


def document_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": f"POL-{uuid.uuid4().hex[:6].upper()}",
        "title": "Children in Need policy",
        "summary": "Our position on support for children in need.",
        "kind": "policy",
        "service_area": "Children in Need",
        "review_interval_months": 12,
        "tags": ["cin"],
    }
    body.update(overrides)
    return body
