"""The webhook contract: every event type a subscriber can receive is in the OpenAPI document's
``webhooks`` with a schema for its message, the README's catalogue is generated from the same
models, and the messages we really send match their schemas field for field."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.api.webhooks import catalogue
from services.domain.models.webhooks import WebhookDelivery
from services.domain.notifications.document_snapshot import DocumentSnapshot
from services.domain.settings import Settings
from services.domain.webhooks.service import EVENT_TYPES, PING
from services.notifier.relay import relay_once
from tests.api.sign_off_support import create_document, upload_draft
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.test_webhooks import hook_settings, ping, subscribe

__all__ = ["hook_settings"]  # the fixture, used by name

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_event_type_is_a_webhook_in_the_openapi_document(app: FastAPI) -> None:
    spec = app.openapi()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["webhooks"]) == {*EVENT_TYPES, PING}
    for event_type, item in spec["webhooks"].items():
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        message = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert message["properties"]["type"]["const"] == event_type
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= {
            p["name"] for p in item["post"]["parameters"]
        }
        assert item["post"]["summary"] != event_type, f"{event_type} says nothing of when"


def test_the_readme_catalogue_is_the_generated_one() -> None:
    text = README.read_text()
    start, end = text.index(catalogue.START), text.index(catalogue.END) + len(catalogue.END)
    # Kept inside a README list item, so indented by two spaces.
    found = "\n".join(line.removeprefix("  ") for line in text[start:end].splitlines())
    assert found == catalogue.markdown(), (
        "README's event catalogue is stale: python -m services.api.webhooks.catalogue"
    )


def _fields(model: Any) -> set[str]:
    return set(model.model_fields)


async def test_the_messages_sent_match_their_schemas_field_for_field(
    client: AsyncClient, world: World, hook_settings: Settings
) -> None:
    subscription = await subscribe(world, hook_settings, "http://127.0.0.1:9/hook")
    document_id = await create_document(client, world)
    got = await client.get(f"/v1/documents/{document_id}", headers=world.a.admin.headers)
    reference = got.json()["reference"]
    await upload_draft(client, world, document_id)
    await ping(world, subscription.id)
    while await relay_once(world.sessionmaker, RecordingTransport()):
        pass
    async with world.sessionmaker() as session:
        bodies = (
            await session.execute(
                select(WebhookDelivery.body).where(
                    WebhookDelivery.subscription_id == subscription.id
                )
            )
        ).scalars()
        sent = list(bodies)

    models = catalogue.message_models()
    seen = {body["type"] for body in sent}
    assert {"document.created", "document.version_added", PING} <= seen, seen
    for body in sent:
        model = models[body["type"]]
        model.model_validate(body)
        data_model = model.model_fields["data"].annotation
        assert set(body["data"]) == _fields(data_model), body["type"]
        assert set(body) == set(model.model_fields), body["type"]
        if "document_id" in body["data"]:
            assert body["document"]["id"] == body["data"]["document_id"]
            assert body["document"]["reference"] == reference
            assert body["document"]["href"] == f"/v1/documents/{document_id}"
            assert set(body["document"]) == _fields(DocumentSnapshot)
        assert uuid.UUID(str(body["data"].get("organisation_id", world.a.id)))
