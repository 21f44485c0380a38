"""Finding documents: the register's filters, and search by relevance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.db import plan_for_these_values
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.documents import (
    acting_responsible_officer_id as acting_responsible_officer_id,
)
from services.domain.pagination import after_row


@dataclass(frozen=True)
class DocumentFilters:
    kind: str | None = None
    status: DocumentStatus | None = None
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


def filter_conditions(principal: Principal, f: DocumentFilters) -> list[ColumnElement[bool]]:
    """The documents of the caller's organisation that ``f`` asks for (the tracker's too)."""
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
    conditions = filter_conditions(principal, filters)
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
