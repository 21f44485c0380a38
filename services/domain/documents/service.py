"""The register: creating, changing, finding and searching governance documents."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import (
    ARRAY,
    String,
    bindparam,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import in_chunks, new_id
from services.domain.documents import review_dates
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.documents.signals import StatusChanged
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.documents import STATUSES, Document, DocumentKind, DocumentStatus
from services.domain.models.documents import (
    acting_responsible_officer_id as acting_responsible_officer_id,
)
from services.domain.organisations.words import words_for
from services.domain.outbox.service import emit, emit_many
from services.domain.people.service import require_active_people
from services.domain.subscribers import react

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
PEOPLE_FIELDS = {
    "owner_id": "owner",
    "responsible_officer_id": "responsible_officer",
    "author_id": "author",
}


# Built once: the most common read of all, so its statement is not built again per request.
_DOCUMENT = select(Document).where(
    Document.id == bindparam("document_id"),
    Document.organisation_id == bindparam("organisation_id"),
)
_DOCUMENT_FOR_UPDATE = _DOCUMENT.with_for_update().execution_options(populate_existing=True)


async def get_document(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, *, for_update: bool = False
) -> Document:
    """A document of the caller's organisation; other organisations' ids are NotFound too."""
    query = _DOCUMENT_FOR_UPDATE if for_update else _DOCUMENT
    ids = {"document_id": document_id, "organisation_id": principal.organisation_id}
    document = (await session.execute(query, ids)).scalar_one_or_none()
    if document is None:
        raise NotFound("No such document.")
    return document


async def _kinds(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, DocumentKind]:
    """The organisation's document kinds by key (a handful: read whole)."""
    rows = await session.execute(
        select(DocumentKind).where(DocumentKind.organisation_id == organisation_id)
    )
    return {kind.key: kind for kind in rows.scalars()}


def _active_kind(kinds: Mapping[str, DocumentKind], key: str) -> DocumentKind:
    kind = kinds.get(key)
    if kind is None or not kind.is_active:
        raise Invalid(f"{key!r} is not a document kind of this organisation.", field="kind")
    return kind


async def _validate(session: AsyncSession, document: Document, changed: set[str]) -> None:
    await _validate_many(session, [(document, changed)])


async def _validate_many(
    session: AsyncSession,
    items: Sequence[tuple[Document, set[str]]],
    kinds: Mapping[str, DocumentKind] | None = None,
) -> None:
    """Check documents of one organisation, each for the fields it ``changed``: the first
    problem is raised, in the order the checks run for each document."""
    if not items:
        return
    organisation_id = items[0][0].organisation_id
    kinds = kinds if kinds is not None else await _kinds(session, organisation_id)
    for document, changed in items:
        if "reference" in changed and not REFERENCE.match(document.reference):
            raise Invalid(
                "A reference is 1-40 letters, digits, '.', '_', '/' or '-', e.g. PROC-014.",
                field="reference",
            )
        if "status" in changed and document.status not in STATUSES:
            raise Invalid(f"Status must be one of {', '.join(STATUSES)}.", field="status")
        _active_kind(kinds, document.kind)
    await require_active_people(
        session,
        organisation_id,
        [
            (getattr(document, field), field)
            for document, changed in items
            for field in PEOPLE_FIELDS.keys() & changed
        ],
    )
    for document, _ in items:
        kind = kinds[document.kind]
        if kind.requires_owner and document.owner_id is None:
            # NCT: a procedure always has a Responsible Strategic Manager.
            words = await words_for(session, organisation_id)
            raise Invalid(f"A {kind.label.lower()} must name its {words.owner}.", field="owner_id")
    await _check_references_free(
        session, organisation_id, [d for d, changed in items if "reference" in changed]
    )


async def _check_references_free(
    session: AsyncSession, organisation_id: uuid.UUID, documents: Sequence[Document]
) -> None:
    """Conflict if another document of the organisation, or of ``documents``, has the same
    reference as one of them."""
    owner: dict[str, uuid.UUID] = {}
    for document in documents:
        if owner.setdefault(document.reference, document.id) != document.id:
            raise Conflict(f"Reference {document.reference} is already used.", field="reference")
    references = list(owner)
    for chunk in in_chunks(references):
        # Joined to the references as one array, not `reference IN ($1, ... $1000)`: a fresh
        # register has no statistics yet, the plan kept for the statement scans the table, and
        # with an IN list of parameters each row was compared with each reference (moving in,
        # 50,000 rows: 68 s in this query alone, a second with the join).
        wanted = (
            func.unnest(bindparam("references", chunk, ARRAY(String)))
            .table_valued("reference")
            .render_derived(name="wanted")
        )
        clash = await session.execute(
            select(Document.id, Document.reference)
            .join(wanted, Document.reference == wanted.c.reference)
            .where(Document.organisation_id == organisation_id)
        )
        for document_id, reference in clash:
            if owner[reference] != document_id:
                raise Conflict(f"Reference {reference} is already used.", field="reference")


async def create_document(
    session: AsyncSession, principal: Principal, new: NewDocument
) -> Document:
    """Add a document to the register, with its audit record and events."""
    return (await create_documents(session, principal, [new]))[0]


async def create_documents(
    session: AsyncSession,
    principal: Principal,
    rows: Sequence[NewDocument],
    *,
    tell_people: bool = True,
) -> list[Document]:
    """Add documents to the register, each with its audit record and events: the same checks,
    records and events for one document as for a tracker's thousands, in a few statements
    however many there are (one at a time, some twenty statements each).

    ``tell_people=False`` leaves out the events that tell the people named, one document at a
    time (``document.people_assigned``, an email each, and ``document.owner_changed``): the
    caller tells them once for the lot (``people_named`` says who); ``document.created`` still
    carries each document, its people included."""
    kinds = await _kinds(session, principal.organisation_id)
    checked: list[tuple[Document, set[str]]] = []
    for new in rows:
        fields = new.given()
        authz.check_create(principal, status=new.status)
        if not authz.is_policy_team(principal) and new.author_id is None:
            # An author's own draft is theirs.
            fields["author_id"] = principal.person_id
        _active_kind(kinds, new.kind)
        # The kind's default interval is not copied: the document's own interval is only the
        # one agreed for it, and the kind's applies through the review-date rule when none is.
        document = Document(id=new_id(), organisation_id=principal.organisation_id, **fields)
        document.tags = sorted(set(document.tags or []))
        checked.append((document, set(fields) | {"reference"}))
    await _validate_many(session, checked, kinds)
    documents = [document for document, _ in checked]
    await review_dates.ensure_reviews_due(session, documents, london_today())
    # Every row with the same columns set, so the batch is inserted in one statement (a row that
    # the review-date rule stamped besides one it did not split it, statement by statement).
    now = utcnow()
    for document in documents:
        document.created_at = document.updated_at = now
    session.add_all(documents)
    await session.flush()
    await audit.record_many(
        session,
        principal,
        principal.organisation_id,
        [audit_changes.entry(d, "document.created") for d in documents],
    )
    await emit_many(
        session, [event for d in documents for event in _created_events(d, tell_people)]
    )
    return documents


def people_named(document: Document) -> dict[uuid.UUID, list[str]]:
    """The people a document names, each with their roles on it (owner, RO, author)."""
    roles: dict[uuid.UUID, list[str]] = {}
    for field, role in PEOPLE_FIELDS.items():
        person_id = getattr(document, field)
        if person_id is not None:
            roles.setdefault(person_id, []).append(role)
    return roles


def _created_events(document: Document, tell_people: bool = True) -> list[events.Event]:
    created: list[events.Event] = [
        events.DocumentCreated(
            organisation_id=document.organisation_id,
            document_id=document.id,
            reference=document.reference,
        )
    ]
    if not tell_people:
        return created
    for field, role in PEOPLE_FIELDS.items():
        if getattr(document, field) is not None:
            created.append(_person_change(document, role, None, getattr(document, field)))
    assigned = _people_assigned(document, set(PEOPLE_FIELDS))
    return created + ([assigned] if assigned else [])


def _person_change(
    document: Document, role: str, previous: uuid.UUID | None, current: uuid.UUID | None
) -> events.Event:
    return events.DocumentOwnerChanged(
        organisation_id=document.organisation_id,
        document_id=document.id,
        role=role,
        previous_person_id=previous,
        person_id=current,
    )


def _people_assigned(document: Document, changed: set[str]) -> events.Event | None:
    """One event for everyone newly named by this change, each with all the roles given to
    them: someone made owner, RO and author at once is told once."""
    roles: dict[uuid.UUID, list[str]] = {}
    for field, role in PEOPLE_FIELDS.items():
        person_id = getattr(document, field)
        if field in changed and person_id is not None:
            roles.setdefault(person_id, []).append(role)
    if not roles:
        return None
    return events.DocumentPeopleAssigned(
        organisation_id=document.organisation_id,
        document_id=document.id,
        assigned=[events.PersonAssigned(person_id=p, roles=r) for p, r in roles.items()],
    )


async def update_document(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    change: DocumentChange,
    *,
    expected_version: int,
) -> Document:
    """Change a document's register entry; ``expected_version`` comes from the caller's If-Match."""
    changes = change.given()
    authz.check_update(principal, document, changes.keys())
    if document.row_version != expected_version:
        raise PreconditionFailed("The document has changed since you read it; fetch it again.")
    before = audit.snapshot(document)
    changed = {k for k, v in changes.items() if getattr(document, k) != v}
    if "tags" in changed:
        changes = {**changes, "tags": sorted(set(changes["tags"] or []))}
    for key in changed:
        setattr(document, key, changes[key])
    if not changed:
        return document
    await _validate(session, document, changed)
    # Put in force, or its date cleared while in force: it is given one by the rule.
    if await review_dates.ensure_review_due(session, document, london_today()):
        changed.add("next_review_due")
    await session.flush()
    await audit_changes.record_change(
        session, principal, document, "document.updated", before=before
    )
    await emit(
        session,
        events.DocumentUpdated(
            organisation_id=document.organisation_id,
            document_id=document.id,
            changed=sorted(changed),
        ),
    )
    changes_of_people = [
        _person_change(
            document,
            role,
            uuid.UUID(before[field]) if before[field] else None,
            getattr(document, field),
        )
        for field, role in PEOPLE_FIELDS.items()
        if field in changed
    ]
    assigned = _people_assigned(document, changed)
    await emit_many(session, changes_of_people + ([assigned] if assigned else []))
    if "status" in changed:
        # Retired or superseded: its removal from Tri.x is queued (reactions/trix.py).
        previous = DocumentStatus(before["status"])
        await react(session, principal, StatusChanged(document, previous_status=previous))
    return document
