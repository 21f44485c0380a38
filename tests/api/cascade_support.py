"""A policy in force with documents linked to it, and its amended issue, for cascade reviews."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.clock import london_today
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.notifications import Notification
from services.domain.reviews import cascades
from services.notifier.relay import relay_once
from tests.api.sign_off_support import create_document, decide, submit, upload_draft
from tests.factories import World, document_body
from tests.notifier.conftest import RecordingTransport


async def in_force(client: AsyncClient, world: World, **overrides: Any) -> str:
    """A document registered as issued 1.0: owner the approver, RO and author the author."""
    document_id = await create_document(client, world, **overrides)
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", b"The text in force.", "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return document_id


async def link(client: AsyncClient, world: World, source: str, target: str, kind: str) -> None:
    linked = await client.post(
        f"/v1/documents/{source}/links",
        json={"target_id": target, "kind": kind},
        headers=world.a.policy_officer.headers,
    )
    assert linked.status_code == 201, linked.text


@dataclass
class Family:
    policy: str
    governed: str  # a procedure the policy governs
    implementing: str  # a procedure that implements the policy
    form: str  # a form for the policy


async def family(client: AsyncClient, world: World) -> Family:
    policy = await in_force(client, world, kind="policy", title="Safeguarding adults policy")
    governed = await in_force(client, world, title="Section 42 enquiries procedure")
    implementing = await in_force(client, world, title="Safeguarding adults procedure")
    form = await in_force(client, world, kind="form", title="Safeguarding concern form")
    await link(client, world, policy, governed, "governs")
    await link(client, world, implementing, policy, "implements")
    await link(client, world, form, policy, "form_for")
    return Family(policy, governed, implementing, form)


async def issue_amended(
    client: AsyncClient, world: World, document_id: str, text: bytes = b"The amended text."
) -> dict[str, Any]:
    """Upload a draft and take it through a one-stage sign-off (the owner approves): issued."""
    draft = await upload_draft(client, world, document_id, text)
    submitted = await submit(client, world, document_id, draft["id"])
    assert submitted.status_code == 201, submitted.text
    decided = await decide(client, submitted.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    document = await client.get(
        f"/v1/documents/{document_id}", headers=world.a.policy_officer.headers
    )
    assert document.json()["status"] == "published", document.text
    data: dict[str, Any] = document.json()
    return data


async def flags_of(
    client: AsyncClient, world: World, headers: dict[str, str] | None = None, **query: Any
) -> list[dict[str, Any]]:
    got = await client.get(
        "/v1/cascade-flags", params=query, headers=headers or world.a.policy_officer.headers
    )
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()["items"]
    return items


async def reviews_of(client: AsyncClient, world: World, document_id: str) -> list[dict[str, Any]]:
    got = await client.get(
        "/v1/reviews",
        params={"document_id": document_id},
        headers=world.a.policy_officer.headers,
    )
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()["items"]
    return items


async def relay(world: World) -> None:
    while await relay_once(world.sessionmaker, RecordingTransport()):
        pass


async def notices(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())


async def cascade_flag_of_b(client: AsyncClient, world: World) -> str:
    """A flag in organisation B (for the isolation checks): a policy issued 1.0 then 2.0,
    governing a procedure, cascaded as its issue through a sign-off would."""
    h = world.b.admin.headers
    made = []
    owner = {"owner_id": str(world.b.approver.person_id)}
    for body in (document_body(kind="policy"), document_body(kind="procedure", **owner)):
        created = await client.post("/v1/documents", json=body, headers=h)
        assert created.status_code == 201, created.text
        made.append(created.json()["id"])
    parent, child = made
    for document_id, text in ((parent, b"# 1"), (child, b"# 1"), (parent, b"# 2")):
        issued = await client.post(
            f"/v1/documents/{document_id}/versions",
            files={"file": ("a.md", text, "text/markdown")},
            data={"issued": "true", "issued_on": london_today().isoformat()},
            headers=h,
        )
        assert issued.status_code == 201, issued.text
    linked = await client.post(
        f"/v1/documents/{parent}/links", json={"target_id": child, "kind": "governs"}, headers=h
    )
    assert linked.status_code == 201, linked.text
    async with world.sessionmaker() as session, session.begin():
        document = await session.get(Document, uuid.UUID(parent))
        issued_versions = await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == uuid.UUID(parent), DocumentVersion.minor == 0)
            .order_by(DocumentVersion.major)
        )
        previous, version = issued_versions.scalars().all()
        assert document is not None
        [flag] = await cascades.cascade_issue(
            session, None, cascades.Issue(document, version, previous)
        )
        return str(flag.id)
