"""Dis-applications (Cafcass 6.1): asking to set aside part of a document in force for a team or
service area, the decision of whom the organisation names, ending one, and the register.

"Once a policy has been formally 'signed off' and launched, it must be adhered to unless there
are exceptional circumstances justifying a variation from the policy. [...] The policy can only
be dis-applied if the Policy Sponsor (usually the Corporate Director) agrees that the
circumstances are exceptional and that variation is justified."
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import dis_applications as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.dis_applications import rules
from services.domain.dis_applications.commands import DisApplicationDecision, NewDisApplication
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.governance.definition import DIS_APPLICATION_DECIDER, PostDecider
from services.domain.governance.posts import holder_of
from services.domain.models.dis_applications import DisApplication, DisApplicationStatus
from services.domain.models.documents import IN_FORCE, Document, acting_responsible_officer_id
from services.domain.models.organisations import Organisation
from services.domain.notices.recipients import active_people
from services.domain.outbox.service import emit
from services.domain.pagination import after_row
from services.domain.people.service import require_active_person

_TEXTS = ("section", "applies_to", "reasons", "risks", "mitigation")


async def decider_of(session: AsyncSession, document: Document) -> uuid.UUID | None:
    """Who decides dis-applications of ``document`` today, by the organisation's setting: the
    holder of its post for the document's service area (else organisation-wide), or the
    person named on the document (Cafcass 6.1: the owner, the Policy Sponsor); None if
    nobody active is."""
    org = await session.get(Organisation, document.organisation_id)
    assert org is not None
    decider = DIS_APPLICATION_DECIDER.validate_python(org.dis_application_decider)
    if isinstance(decider, PostDecider):
        person_id = await holder_of(
            session, document.organisation_id, decider.post, document.service_area
        )
    elif decider.role == "responsible_officer":
        person_id = acting_responsible_officer_id(document)
    else:
        person_id = getattr(document, f"{decider.role}_id")
    people = await active_people(session, document.organisation_id, [person_id])
    return people[0].id if people else None


async def request_dis_application(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, command: NewDisApplication
) -> DisApplication:
    """Ask for part of a document in force to be set aside for a team or area, from a start
    date to an end date at most a year later, with reasons, risks and mitigation."""
    authz.check_request(principal)
    assert principal.person_id is not None
    document = await get_document(session, principal, document_id)
    if document.status not in IN_FORCE:
        raise Conflict(
            f"{document.reference} is {document.status}: only a document in force (signed off "
            "and launched) can be dis-applied."
        )
    if await decider_of(session, document) is None:
        # Asked of nobody, it would wait for ever: the organisation names someone first.
        raise Conflict(
            f"Nobody active is named to decide dis-applications of {document.reference} (the "
            "organisation's dis_application_decider): name the document's owner, or record "
            "the post holder (/v1/posts), first."
        )
    for name in _TEXTS:
        if not str(getattr(command, name)).strip():
            raise Invalid(f"Say what {name.replace('_', ' ')} is.", field=name)
    rules.check_dates(command.starts_on, command.ends_on, london_today())
    if command.discussed_with_id == principal.person_id:
        raise Invalid(
            "Name the line manager (or contract manager) you discussed it with, not yourself.",
            field="discussed_with_id",
        )
    await require_active_person(
        session, principal.organisation_id, command.discussed_with_id, "discussed_with_id"
    )
    dis_application = DisApplication(
        id=new_id(),
        organisation_id=principal.organisation_id,
        document_id=document.id,
        issued_version=document.issued_version,
        requested_by_id=principal.person_id,
        status=DisApplicationStatus.REQUESTED,
        **command.given(),
    )
    session.add(dis_application)
    await session.flush()
    await audit_changes.record_change(
        session, principal, dis_application, "dis_application.requested"
    )
    await emit(
        session,
        events.DisApplicationRequested(
            organisation_id=dis_application.organisation_id,
            dis_application_id=dis_application.id,
            document_id=document.id,
            requested_by_id=principal.person_id,
            starts_on=dis_application.starts_on,
            ends_on=dis_application.ends_on,
        ),
    )
    return dis_application


async def get_dis_application(
    session: AsyncSession,
    principal: Principal,
    dis_application_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> DisApplication:
    """A dis-application of the caller's organisation; any other id is NotFound."""
    authz.check_read(principal)
    query = select(DisApplication).where(
        DisApplication.id == dis_application_id,
        DisApplication.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such dis-application.")
    return found


def _register(
    principal: Principal,
    *,
    document_id: uuid.UUID | None,
    applies_to: str | None,
    status: DisApplicationStatus | None,
    in_force_on: date | None,
    ending_by: date | None,
) -> Select[Any]:
    query = select(DisApplication).where(
        DisApplication.organisation_id == principal.organisation_id
    )
    if document_id is not None:
        query = query.where(DisApplication.document_id == document_id)
    if applies_to is not None:
        query = query.where(func.lower(DisApplication.applies_to) == applies_to.strip().lower())
    if status is not None:
        query = query.where(DisApplication.status == status)
    if in_force_on is not None:
        query = query.where(
            DisApplication.status == DisApplicationStatus.APPROVED,
            DisApplication.starts_on <= in_force_on,
            DisApplication.ends_on >= in_force_on,
        )
    if ending_by is not None:
        query = query.where(DisApplication.ends_on <= ending_by)
    return query


async def list_dis_applications(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    applies_to: str | None = None,
    status: DisApplicationStatus | None = None,
    in_force: bool = False,
    ending_by: date | None = None,
    after: tuple[date, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[DisApplication]:
    """The register, soonest end date first: of a document, for a team or area (its name, in
    any case), by status, those in force today, or those ending by a date."""
    authz.check_read(principal)
    query = _register(
        principal,
        document_id=document_id,
        applies_to=applies_to,
        status=status,
        in_force_on=london_today() if in_force else None,
        ending_by=ending_by,
    )
    if after is not None:
        query = query.where(after_row(DisApplication.ends_on, DisApplication.id, after))
    query = query.order_by(DisApplication.ends_on, DisApplication.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def list_for_document(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> tuple[Document, list[DisApplication]]:
    """A document's dis-applications, every status, soonest end first (404 for a foreign or
    missing document)."""
    authz.check_read(principal)
    document = await get_document(session, principal, document_id)
    rows = await session.execute(
        select(DisApplication)
        .where(
            DisApplication.organisation_id == principal.organisation_id,
            DisApplication.document_id == document.id,
        )
        .order_by(DisApplication.ends_on, DisApplication.id)
    )
    return document, list(rows.scalars())


async def _document_of(session: AsyncSession, dis_application: DisApplication) -> Document:
    document = await session.get(Document, dis_application.document_id)
    assert document is not None  # the foreign key holds it
    return document


async def decide_dis_application(
    session: AsyncSession,
    principal: Principal,
    dis_application: DisApplication,
    decision: DisApplicationDecision,
) -> DisApplication:
    """Approve or refuse, by whom the organisation names and never the requester. Approving
    says the circumstances are exceptional and the variation justified (Cafcass 6.1)."""
    document = await _document_of(session, dis_application)
    authz.check_decide(principal, dis_application, await decider_of(session, document))
    if dis_application.status != DisApplicationStatus.REQUESTED:
        raise Conflict(f"This dis-application is already {dis_application.status}.")
    if not decision.note.strip():
        raise Invalid("Say why, in the note.", field="note")
    approving = decision.outcome == "approved"
    if approving and not decision.circumstances_exceptional:
        raise Invalid(
            "Cafcass 6.1: a policy is dis-applied only when the circumstances are exceptional; "
            "confirm it (circumstances_exceptional) or refuse.",
            field="circumstances_exceptional",
        )
    if approving and not decision.variation_justified:
        raise Invalid(
            "Cafcass 6.1: a policy is dis-applied only when the variation is justified; "
            "confirm it (variation_justified) or refuse.",
            field="variation_justified",
        )
    if approving and dis_application.ends_on < london_today():
        raise Conflict("Its end date has passed: ask again with new dates.")
    before = audit.snapshot(dis_application)
    dis_application.status = (
        DisApplicationStatus.APPROVED if approving else DisApplicationStatus.REFUSED
    )
    dis_application.decided_by_id = principal.person_id
    dis_application.decided_at = utcnow()
    dis_application.decision_note = decision.note.strip()
    await session.flush()
    await audit_changes.record_change(
        session, principal, dis_application, "dis_application.decided", before=before
    )
    assert principal.person_id is not None  # check_decide let only the decider through
    await emit(
        session,
        events.DisApplicationDecided(
            organisation_id=dis_application.organisation_id,
            dis_application_id=dis_application.id,
            document_id=dis_application.document_id,
            status="approved" if approving else "refused",
            decided_by_id=principal.person_id,
        ),
    )
    return dis_application
