"""Every string a request carries (JSON bodies, query parameters, form fields) has the one text
policy (services/domain/text.py) and a maximum length no longer than the column it fills."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Query
from pydantic import BaseModel
from sqlalchemy import String
from sqlalchemy.orm import Mapper

from services.domain import models
from services.domain.text import TextPolicy
from tests.api.request_strings import RequestString, request_strings

# Schemas whose table is not named after them.
TABLE_OF = {
    "services.api.boards.minutes_schemas.ActionCreate": models.MeetingAction,
    "services.api.boards.minutes_schemas.ActionUpdate": models.MeetingAction,
    "services.api.boards.minutes_schemas.MeetingDecisionCreate": models.MeetingDecision,
    "services.api.boards.schemas.MemberCreate": models.BoardMember,
    "services.api.boards.schemas.MemberUpdate": models.BoardMember,
    "services.api.sign_off.schemas.SignOffDecisionCreate": models.SignOffDecision,
    "services.api.governance.schemas.RouteCreate": models.GovernanceRoute,
    "services.api.governance.schemas.RouteUpdate": models.GovernanceRoute,
    "services.api.webhooks.schemas.WebhookCreate": models.WebhookSubscription,
    "services.api.webhooks.schemas.WebhookUpdate": models.WebhookSubscription,
}


def _mappers() -> dict[str, Mapper[object]]:
    return {m.class_.__name__: m for m in models.Base.registry.mappers}


def _column_length(found: RequestString) -> tuple[str, int | None] | None:
    """The column a body field fills ("table.column", its length or None for text), or None
    when the schema maps to no table or the field to no column."""
    if found.model is None:
        return None
    name = f"{found.model.__module__}.{found.model.__qualname__}"
    mapped = TABLE_OF.get(name)
    mapper = (
        mapped.__mapper__
        if mapped is not None
        else _mappers().get(found.model.__name__.removesuffix("Create").removesuffix("Update"))
    )
    if mapper is None or found.field not in mapper.columns:
        return None
    column = mapper.columns[found.field]
    length = column.type.length if isinstance(column.type, String) else None
    return f"{column.table.name}.{column.name}", length  # type: ignore[attr-defined]


def test_every_request_string_carries_the_text_policy(app: FastAPI) -> None:
    found = request_strings(app)
    assert len(found) > 150  # the walk reaches nested bodies, queries and forms
    assert [s.where for s in found if s.policy is None] == []


def test_no_request_string_is_longer_than_its_column(app: FastAPI) -> None:
    mapped = {}
    too_long = []
    for found in request_strings(app):
        column = _column_length(found)
        if column is None or found.policy is None:
            continue
        name, length = column
        mapped[found.where] = name
        if length is not None and found.policy.max_length > length:
            too_long.append(f"{found.where}: {found.policy.max_length} > {name} ({length})")
    assert too_long == []
    # The mapping reaches the tables that were 500s: consultations, documents.
    assert mapped["services.api.consultations.schemas.ConsultationCreate.title"] == (
        "consultations.title"
    )
    assert mapped["services.api.documents.schemas.DocumentCreate.category"] == "documents.category"
    assert len(mapped) > 60


class _Inner(BaseModel):
    plain: str
    checked: Annotated[str, TextPolicy(10)]


class _Probe(BaseModel):
    inner: list[_Inner]
    by_key: dict[str, Annotated[str, TextPolicy(10)]]


def test_the_walk_finds_strings_in_bodies_queries_and_forms() -> None:
    # A string without the policy, nested in a list, a dict key, a query or a form field, must
    # be found, or the tests above prove nothing.
    probe = FastAPI()

    @probe.post("/probe")
    async def take(body: _Probe, q: Annotated[str | None, Query()] = None) -> None:
        return None  # pragma: no cover - never called

    @probe.post("/form")
    async def form(name: Annotated[str, Form()]) -> None:
        return None  # pragma: no cover - never called

    missing = {s.where for s in request_strings(probe) if s.policy is None}
    assert missing == {
        f"{__name__}._Inner.plain",
        f"{__name__}._Probe.by_key",
        "POST /probe ?q",
        "POST /form body:name",
    }
