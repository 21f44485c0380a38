"""The register: creating, changing, finding and searching governance documents."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    and_,
    bindparam,
    false,
    func,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import in_chunks, new_id, plan_for_these_values
from services.domain.documents import review_dates
from services.domain.documents.signals import StatusChanged
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.documents import STATUSES, Document, DocumentKind
from services.domain.models.documents import (
    acting_responsible_officer_id as acting_responsible_officer_id,
)
from services.domain.organisations.words import words_for
from services.domain.outbox.service import emit, emit_many
from services.domain.pagination import after_row
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
    session: AsyncSession, principal: Principal, fields: Mapping[str, Any]
) -> Document:
    """Add a document to the register, with its audit record and events."""
    return (await create_documents(session, principal, [fields]))[0]


async def create_documents(
    session: AsyncSession,
    principal: Principal,
    rows: Sequence[Mapping[str, Any]],
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
    for given in rows:
        fields = dict(given)
        authz.check_create(principal, status=fields.get("status", "draft"))
        if not authz.is_policy_team(principal) and fields.get("author_id") is None:
            # An author's own draft is theirs.
            fields["author_id"] = principal.person_id
        _active_kind(kinds, fields.get("kind", ""))
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
        [
            audit.Entry("document.created", "document", d.id, after=audit.snapshot(d))
            for d in documents
        ],
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
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> Document:
    """Change a document's register entry; ``expected_version`` comes from the caller's If-Match."""
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
    await audit.record(
        session,
        principal,
        organisation_id=document.organisation_id,
        action="document.updated",
        entity_type="document",
        entity_id=document.id,
        before=before,
        after=audit.snapshot(document),
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
        await react(session, principal, StatusChanged(document, previous_status=before["status"]))
    return document


@dataclass(frozen=True)
class DocumentFilters:
    kind: str | None = None
    status: str | None = None
    owner_id: uuid.UUID | None = None
    responsible_officer_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    service_area: str | None = None
    tag: str | None = None
    review_due_before: date | None = None
    review_due_after: date | None = None
    q: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _conditions(principal: Principal, f: DocumentFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Document.organisation_id == principal.organisation_id]
    for field in ("kind", "status", "owner_id", "responsible_officer_id", "author_id"):
        value = getattr(f, field)
        if value is not None:
            conditions.append(getattr(Document, field) == value)
    if f.service_area is not None:
        conditions.append(func.lower(Document.service_area) == f.service_area.lower())
    if f.tag is not None:
        conditions.append(Document.tags.contains([f.tag]))
    if f.review_due_before is not None:
        conditions.append(Document.next_review_due < f.review_due_before)
    if f.review_due_after is not None:
        conditions.append(Document.next_review_due > f.review_due_after)
    return conditions


def _text_matches(principal: Principal, query: ColumnElement[Any]) -> ColumnElement[bool]:
    """The query against the text the caller may search: drafts only where they may see them."""
    scope = authz.draft_scope(principal)
    if scope == "all":
        return Document.search_all.bool_op("@@")(query)
    if scope == "none":
        return Document.search_published.bool_op("@@")(query)
    # Never NULL (a document with no author, say), so that NOT of it is the rest.
    mine = func.coalesce(authz.named_on_condition(principal), false())
    return or_(
        Document.search_published.bool_op("@@")(query),
        and_(mine, Document.search_all.bool_op("@@")(query)),
    )


def search_tiers(principal: Principal, text: str) -> list[ColumnElement[bool]]:
    """What each tier of a search holds, most relevant first: the title (or reference) has the
    words; the summary has them; the text has them as a phrase; the text has them apart. The
    tiers share out exactly the documents the query matches (the text vectors include the title
    and summary), each in one tier.

    Each condition is written cheapest first, since PostgreSQL tests them in the order given:
    the small title and summary vectors before the text's, which is read from TOAST."""
    words = func.websearch_to_tsquery("english", text)
    phrase = func.phraseto_tsquery("english", text)
    with_phrase = func.tsquery_and(words, phrase)
    without_phrase = func.tsquery_and(words, func.tsquery_not(phrase))
    in_title: ColumnElement[bool] = Document.search_title.bool_op("@@")(words)
    in_summary: ColumnElement[bool] = Document.search_summary.bool_op("@@")(words)
    register_only = [not_(in_title), not_(in_summary)]
    if "-" in text:
        # A NOT (websearch's "-word") can hold in the title yet fail in the whole text: check
        # the text too. Without one, words in the title or summary are words in the text.
        in_title = and_(in_title, _text_matches(principal, words))
        in_summary = and_(in_summary, _text_matches(principal, words))
    if authz.draft_scope(principal) == "named":
        # Two vectors (the issued text, or the draft where the caller is named): a document
        # could meet the phrase in one and the words apart in the other; it goes in one tier.
        as_phrase = _text_matches(principal, with_phrase)
        phrase_tier = and_(*register_only, as_phrase)
        apart_tier = and_(*register_only, _text_matches(principal, words), not_(as_phrase))
    else:
        phrase_tier = and_(*register_only, _text_matches(principal, with_phrase))
        apart_tier = and_(*register_only, _text_matches(principal, without_phrase))
    return [
        in_title,
        and_(not_(Document.search_title.bool_op("@@")(words)), in_summary),
        phrase_tier,
        apart_tier,
    ]


# Within a tier: issued documents first (for those who also see drafts), then by reference.
# The index ix_documents_org_issued_first_reference serves this order.
_DRAFT_ONLY = Document.issued_version.is_(None)
_TIER_ORDER = (_DRAFT_ONLY, Document.reference, Document.id)


async def _search(
    session: AsyncSession,
    principal: Principal,
    conditions: list[ColumnElement[bool]],
    text: str,
    after: Sequence[Any] | None,
    wanted: int,
) -> tuple[list[Document], list[list[Any]]]:
    """Up to ``wanted`` matches after the position, reading the tiers in turn. Each tier's read
    stops at what the page still needs, so a word in nearly every document costs a page."""
    # Which plan is best depends on how common the words are (an ordered scan for a word in
    # most documents, the GIN indexes for a rare one): each search is planned for its own
    # words (list_documents sets plan_cache_mode for the transaction).
    tiers = search_tiers(principal, text)
    first, position = (after[0], after[1:]) if after else (0, None)
    documents: list[Document] = []
    positions: list[list[Any]] = []
    for number in range(first, len(tiers)):
        where = [*conditions, tiers[number]]
        if number == first and position is not None:
            draft_only, reference, last_id = position
            where.append(tuple_(*_TIER_ORDER) > tuple_(bool(draft_only), reference, last_id))
        query = select(Document).where(*where).order_by(*_TIER_ORDER)
        found = (await session.execute(query.limit(wanted - len(documents)))).scalars().all()
        documents += found
        positions += [
            [number, int(d.issued_version is None), d.reference, str(d.id)] for d in found
        ]
        if len(documents) >= wanted:
            break
    return documents, positions


async def list_documents(
    session: AsyncSession,
    principal: Principal,
    filters: DocumentFilters,
    *,
    after: Sequence[Any] | None,
    limit: int,
) -> tuple[list[Document], list[Any] | None]:
    """One page of documents and the position after its last row (None on the last page).

    Without a text query the order is by reference; with one, by tier (``search_tiers``), then
    issued first, then by reference.
    """
    conditions = _conditions(principal, filters)
    await plan_for_these_values(session)
    if filters.q:
        documents, positions = await _search(
            session, principal, conditions, filters.q, after, limit + 1
        )
    else:
        if after:
            conditions.append(after_row(Document.reference, Document.id, after))
        by_reference = select(Document).where(*conditions).order_by(Document.reference, Document.id)
        documents = list((await session.execute(by_reference.limit(limit + 1))).scalars())
        positions = [[d.reference, str(d.id)] for d in documents]
    if len(documents) > limit:
        return documents[:limit], positions[limit - 1]
    return documents, None
