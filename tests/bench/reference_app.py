"""The floor to compare against: a bare FastAPI app and an asyncpg pool, nothing else.

GET /documents/{id} runs the very SELECT our service emits for a document (compiled once from the
model at start-up, so the database does the same work) and returns the row as JSON. No auth, no
session, no ORM, no Pydantic: what is left is uvicorn, Starlette routing and one round trip.

    BENCH_DATABASE_URL=... BENCH_ORGANISATION_ID=... \
        uvicorn tests.bench.reference_app:create_app --factory --workers 1
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, Response
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url

from services.domain.models.documents import Document

# Stored for the search index and the service; the API does not return them.
NOT_RETURNED = frozenset({"latest_text", "published_text"})


def document_sql() -> str:
    """The SELECT services.domain.documents.service.get_document sends, with $1 and $2."""
    query = select(Document).where(
        Document.id == bindparam("id"), Document.organisation_id == bindparam("org")
    )
    compiled = query.compile(dialect=asyncpg_dialect())
    assert compiled.positiontup == ["id", "org"], compiled.positiontup
    return compiled.string


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def create_app() -> FastAPI:
    url = make_url(os.environ["BENCH_DATABASE_URL"]).set(drivername="postgresql")
    organisation_id = uuid.UUID(os.environ["BENCH_ORGANISATION_ID"])
    sql = document_sql()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Up to 30 connections, like the API's engine (pool_size 10 + max_overflow 20).
        app.state.pool = await asyncpg.create_pool(
            url.render_as_string(hide_password=False), min_size=10, max_size=30
        )
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.get("/documents/{document_id}")
    async def get_document(document_id: uuid.UUID, request: Request) -> Response:
        row = await request.app.state.pool.fetchrow(sql, document_id, organisation_id)
        if row is None:
            return Response(b'{"detail":"not found"}', status_code=404)
        body = {k: v for k, v in row.items() if k not in NOT_RETURNED}
        return Response(
            json.dumps(body, default=_json_default),
            media_type="application/json",
            headers={"ETag": f'"{row["row_version"]}"'},
        )

    return app
