"""Idempotency-Key on POST: repeating a request that was done returns its stored response.

Only a done request (2xx) is kept; a refused or failed one changed nothing and frees its key.

A pure ASGI middleware, because it must see the final response. The key is scoped to the
caller that sent it (the API key, or the person of an OIDC session) within its organisation: a
colleague resending the same key and body neither gets the sender's response nor leaves one for
the sender to get. The request fingerprint is method, path, query, content type and body.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.auth import authenticate
from services.api.errors import PROBLEM_JSON
from services.api.problems.catalogue import TYPE_BASE
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import DomainError
from services.domain.models.idempotency import IdempotencyRecord

HEADER = b"idempotency-key"
# Headers that describe this delivery rather than the outcome are not replayed.
NOT_REPLAYED = {b"date", b"server", b"content-length"}


@dataclass(frozen=True)
class KeyOwner:
    """Where a key lives: the organisation and the caller that sent it."""

    organisation_id: uuid.UUID
    caller_id: uuid.UUID

    @classmethod
    def of(cls, principal: Principal) -> KeyOwner:
        caller = principal.api_key_id or principal.person_id
        if caller is None:  # every credential the API accepts names a key or a person
            raise ValueError(f"{principal.label} has neither an API key nor a person")
        return cls(principal.organisation_id, caller)

    def where(self, key: str) -> Any:
        return (
            (IdempotencyRecord.organisation_id == self.organisation_id)
            & (IdempotencyRecord.caller_id == self.caller_id)
            & (IdempotencyRecord.key == key)
        )


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not 1 <= len(key) <= 255:
            await _problem(send, 400, "Idempotency-Key must be 1 to 255 characters.")
            return
        state = scope["app"].state
        body = await _read_body(receive, state.settings.max_upload_bytes + 1024 * 1024)
        if body is None:
            await _problem(send, 413, "The request body is larger than the upload limit.")
            return
        replay_receive = _replay(body)
        try:
            principal = await authenticate(
                state, headers.get(b"authorization", b"").decode("latin-1")
            )
        except DomainError:
            # Not authenticated: let the application answer 401 as usual, storing nothing.
            await self.app(scope, replay_receive, send)
            return
        fingerprint = _fingerprint(scope, headers, body)
        owner = KeyOwner.of(principal)
        outcome = await _claim(state, owner, key, fingerprint)
        if outcome is not None:
            await outcome(send)
            return
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        finally:
            await _finish(state, owner, key, captured)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _fingerprint(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    content_type = headers.get(b"content-type", b"")
    media_type, _, params = content_type.partition(b";")
    boundary = next(
        (p.split(b"=", 1)[1].strip(b'" ') for p in params.split(b";") if b"boundary=" in p), None
    )
    if boundary:
        # A client retrying an upload picks a new random multipart boundary: ignore it.
        body = body.replace(boundary, b"")
    digest = hashlib.sha256()
    for part in (
        scope["method"].encode(),
        scope["path"].encode(),
        scope.get("query_string", b""),
        media_type.strip().lower(),
    ):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


async def _claim(state: Any, owner: KeyOwner, key: str, fingerprint: str) -> Any:
    """Reserve the key for this request; or return how to answer instead (replay or problem)."""
    settings = state.settings
    now = utcnow()
    async with state.sessionmaker() as session, session.begin():
        inserted, record = await _insert_or_lock(session, owner, key, fingerprint, now)
        if inserted:
            return None
        if record is None:
            return _problem_sender(
                409, "A request with this Idempotency-Key is still being processed; retry later."
            )
        expired = record.created_at < now - timedelta(hours=settings.idempotency_ttl_hours)
        abandoned = record.state == "in_flight" and record.locked_at < now - timedelta(
            seconds=settings.idempotency_lease_seconds
        )
        if expired or abandoned:
            record.fingerprint, record.state, record.locked_at = fingerprint, "in_flight", now
            record.created_at = now if expired else record.created_at
            return None
        if record.fingerprint != fingerprint:
            return _problem_sender(
                422, "This Idempotency-Key was used with a different request; use a new key."
            )
        if record.state == "in_flight":
            return _problem_sender(
                409, "A request with this Idempotency-Key is still being processed; retry later."
            )
        if record.response_body is None:
            # The first response held a one-time secret, which was not kept (see _finish).
            return _problem_sender(
                409,
                "The first request with this Idempotency-Key succeeded. Its response held a "
                "secret that is shown only once, so it cannot be replayed: list the resource "
                "to find what it created.",
            )
        stored = (record.response_status, record.response_headers or [], record.response_body)
    return _stored_response(stored)


async def _insert_or_lock(
    session: AsyncSession, owner: KeyOwner, key: str, fingerprint: str, now: datetime
) -> tuple[bool, IdempotencyRecord | None]:
    """(True, None) if the key was free and is now this request's; else (False, its record,
    locked), or (False, None) if it kept vanishing before it could be read."""
    record = None
    # The row a conflict names can go before it is read (the retention prune, or a first
    # request that ended in a 5xx): the key is free again, so the insert is tried again.
    for _ in range(3):
        inserted = await session.execute(
            insert(IdempotencyRecord)
            .values(
                organisation_id=owner.organisation_id,
                caller_id=owner.caller_id,
                key=key,
                fingerprint=fingerprint,
                state="in_flight",
                locked_at=now,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(IdempotencyRecord.key)
        )
        if inserted.first() is not None:
            return True, None
        record = (
            await session.execute(
                select(IdempotencyRecord).where(owner.where(key)).with_for_update()
            )
        ).scalar_one_or_none()
        if record is not None:
            break
    return False, record


def _stored_response(stored: tuple[Any, Any, Any]) -> Callable[[Send], Awaitable[None]]:
    """The stored response, sent again with ``Idempotent-Replayed: true``."""

    async def replay(send: Send) -> None:
        status, headers, body = stored
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        raw.append((b"idempotent-replayed", b"true"))
        raw.append((b"content-length", str(len(body or b"")).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body or b""})

    return replay


async def _finish(state: Any, owner: KeyOwner, key: str, captured: dict[str, Any]) -> None:
    where = owner.where(key)
    async with state.sessionmaker() as session, session.begin():
        if captured["status"] >= 400:
            # Refused (4xx) or failed (5xx): nothing was committed, so there is nothing to do
            # twice. The key is released, and the client may put right what was refused (a
            # missing If-Match, a role it lacked, a field) and retry with the same key.
            await session.execute(delete(IdempotencyRecord).where(where))
            return
        headers = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, v in captured["headers"]
            if k.lower() not in NOT_REPLAYED
        ]
        # A response marked no-store carries a secret shown once (an API key, a webhook
        # secret): remember that the request happened, never what it returned.
        secret = any(
            k.lower() == b"cache-control" and b"no-store" in v.lower()
            for k, v in captured["headers"]
        )
        await session.execute(
            update(IdempotencyRecord)
            .where(where)
            .values(
                state="done",
                response_status=captured["status"],
                response_headers=headers,
                response_body=None if secret else bytes(captured["body"]),
            )
        )


def _problem_sender(status: int, detail: str) -> Any:
    async def sender(send: Send) -> None:
        await _problem(send, status, detail)

    return sender


async def _problem(send: Send, status: int, detail: str) -> None:
    titles = {400: "Bad request", 409: "Conflict", 413: "Payload too large", 422: "Invalid input"}
    body = json.dumps(
        {
            "type": TYPE_BASE + "idempotency",
            "title": titles.get(status, "Error"),
            "status": status,
            "detail": detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send a unique key to make a retry safe: a repeat returns the first response "
    "with no second effect (422 if the request differs, 409 while the first is in flight).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def document(app: Any) -> None:
    """Declare the Idempotency-Key header on every POST of the OpenAPI document.

    The middleware handles it before routing, so FastAPI cannot see it as a parameter.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                post = path.get("post")
                if post is not None:
                    post.setdefault("parameters", []).append(PARAMETER)
        result: dict[str, Any] = build()
        return result

    app.openapi = openapi
