"""The staff directory."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.people import schemas
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import ShortText
from services.domain.authz.permissions import Permission as P
from services.domain.people import service
from services.domain.people.commands import PersonChange

router = Router(prefix="/v1/people", tags=["people"])


@router.get("", response_model=schemas.PersonPage, dependencies=[allowed(P.PEOPLE_READ)])
async def list_people(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    q: Annotated[ShortText | None, Query(description="Part of a name or email.")] = None,
    role: schemas.Role | None = None,
    is_active: bool | None = None,
    service_area: Annotated[
        ShortText | None, Query(description="A service area, in any case.")
    ] = None,
) -> schemas.PersonPage:
    filters = {"q": q, "role": role, "is_active": is_active, "service_area": service_area}
    scope = {k: v for k, v in filters.items() if v is not None}
    after = page.after(scope, (str, uuid.UUID))
    people = await service.list_people(
        session,
        principal,
        q=q,
        role=role,
        is_active=is_active,
        service_area=service_area,
        after=after,
        limit=page.fetch,
    )
    people, next_cursor = page.page(people, scope, lambda p: [p.name, str(p.id)])
    return schemas.PersonPage(
        items=[schemas.Person.model_validate(p) for p in people], next_cursor=next_cursor
    )


@router.post(
    "", status_code=201, response_model=schemas.Person, dependencies=[allowed(P.PEOPLE_MANAGE)]
)
async def create_person(
    body: schemas.PersonCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Person:
    """Add someone to the directory (admins and policy officers)."""
    person = await service.create_person(
        session, principal, organisation_id=principal.organisation_id, **body.model_dump()
    )
    set_etag(response, person.row_version)
    response.headers["Location"] = f"/v1/people/{person.id}"
    return schemas.Person.model_validate(person)


@router.get("/{person_id}", response_model=schemas.Person, dependencies=[allowed(P.PEOPLE_READ)])
async def get_person(
    person_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Person:
    person = await service.get_person(session, principal, person_id)
    set_etag(response, person.row_version)
    return schemas.Person.model_validate(person)


@router.patch(
    "/{person_id}", response_model=schemas.Person, dependencies=[allowed(P.PEOPLE_MANAGE)]
)
async def update_person(
    person_id: uuid.UUID,
    body: schemas.PersonUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Person:
    """Change details, roles (admins) or deactivate someone who left. Needs `If-Match`."""
    expected = expected_version(if_match)
    person = await service.get_person(session, principal, person_id)
    person = await service.update_person(
        session,
        principal,
        person,
        PersonChange.of(body.model_dump(exclude_unset=True)),
        expected_version=expected,
    )
    set_etag(response, person.row_version)
    return schemas.Person.model_validate(person)
