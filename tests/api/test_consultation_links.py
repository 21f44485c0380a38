"""An external consultee's link (Cafcass: partner agencies and the public have no account).

The token is signed as the notifier signs it for the invitation email; it opens one
consultation, its draft and the consultee's own response, and nothing else.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import update

from services.domain.consultations.links import link_token
from services.domain.models.consultations import Consultation
from services.domain.settings import Settings
from services.domain.tokens import Keyring
from tests.api.boards_support import create_document_with_draft
from tests.api.consultations_support import (
    consultees,
    open_consultation,
    responses_of,
    sweep_close,
)
from tests.factories import World

PARTNER = {
    "name": "Sam Okafor",
    "email": "sam.okafor@police.example.org",
    "represents": "Dorset Police",
}
DRAFT_BYTES = b"Draft procedure text."  # what create_document_with_draft uploads


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def consult_partner(
    client: AsyncClient, world: World, reference: str = "PROC-1", **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open consultation of the reader and an external partner; (consultation, partner)."""
    document_id, version_id = await create_document_with_draft(client, world, reference)
    body: dict[str, Any] = {
        "audience": {"people": [str(world.a.reader.person_id)], "external": [PARTNER]},
        **overrides,
    }
    consultation = await open_consultation(client, world, document_id, version_id, **body)
    found = await consultees(client, world, consultation["id"])
    [partner] = [c for c in found if c["kind"] == "external"]
    return consultation, partner


def token_of(settings: Settings, consultee: dict[str, Any]) -> str:
    """The link the notifier would email for the consultee's current link version."""
    return link_token(settings.keyring, uuid.UUID(consultee["id"]), consultee["link_version"])


def link(token: str, rest: str = "") -> str:
    return f"/v1/consultation-links/{token}{rest}"


async def partner_now(client: AsyncClient, world: World, consultation_id: str) -> dict[str, Any]:
    [partner] = [
        c for c in await consultees(client, world, consultation_id) if c["kind"] == "external"
    ]
    return partner


async def move_close(world: World, consultation_id: str, closes_at: datetime) -> None:
    """Time travel: the consultation ran two weeks up to ``closes_at``."""
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Consultation)
            .where(Consultation.id == uuid.UUID(consultation_id))
            .values(
                opens_at=closes_at - timedelta(days=14),
                opened_at=closes_at - timedelta(days=14),
                closes_at=closes_at,
            )
        )


async def test_the_link_opens_the_consultation_without_an_api_key(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world, description="Please comment.")
    token = token_of(settings, partner)

    view = await client.get(link(token))

    assert view.status_code == 200, view.text
    data = view.json()
    assert data["consultation_id"] == consultation["id"]
    assert data["status"] == "open"
    assert data["consultee_name"] == PARTNER["name"]
    assert data["description"] == "Please comment."
    assert data["document_reference"] == "PROC-1"
    assert data["version"] == "0.1"
    assert data["closes_at"] == consultation["closes_at"]
    assert data["closes_on"] == consultation["closes_on"]
    assert data["draft_path"] == link(token, "/draft")
    assert data["response"] is None


async def test_the_link_gives_the_consulted_draft_not_a_later_one(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    later = await client.post(
        f"/v1/documents/{consultation['document_id']}/versions",
        files={"file": ("draft.txt", b"A later draft, not consulted on.", "text/plain")},
        headers=world.a.author.headers,
    )
    assert later.status_code == 201, later.text

    draft = await client.get(link(token_of(settings, partner), "/draft"))

    assert draft.status_code == 200, draft.text
    assert draft.content == DRAFT_BYTES
    team_copy = await client.get(
        f"/v1/consultations/{consultation['id']}/draft", headers=world.a.author.headers
    )
    assert team_copy.content == draft.content


async def test_an_external_consultee_responds_through_the_link_and_may_amend_it(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)

    first = await client.put(link(token, "/response"), json={"position": "support"})
    assert first.status_code == 201, first.text
    assert first.json()["amendments"] == 0
    second = await client.put(
        link(token, "/response"),
        json={"position": "object", "comments": "Police referrals are missing from 3.2."},
    )

    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["amendments"] == 1
    view = (await client.get(link(token))).json()
    assert view["response"]["position"] == "object"
    team_view = await responses_of(client, consultation["id"], world.a.author.headers)
    recorded = team_view[PARTNER["name"]]
    assert recorded["position"] == "object"
    assert recorded["comments"] == "Police referrals are missing from 3.2."
    assert recorded["consultee_id"] == partner["id"]
    assert recorded["recorded_by_id"] is None
    assert recorded["is_late"] is False
    assert (await partner_now(client, world, consultation["id"]))["has_responded"] is True


async def test_the_link_token_is_not_an_api_key(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    as_bearer = {"Authorization": f"Bearer {token}"}

    for path in (
        "/v1/documents",
        f"/v1/documents/{consultation['document_id']}",
        f"/v1/consultations/{consultation['id']}",
        f"/v1/consultations/{consultation['id']}/draft",
        f"/v1/consultations/{consultation['id']}/responses",
        f"/v1/consultations/{consultation['id']}/consultees",
    ):
        assert_problem(await client.get(path, headers=as_bearer), 401)
    refused = await client.put(
        f"/v1/consultations/{consultation['id']}/response",
        json={"position": "support"},
        headers=as_bearer,
    )
    assert_problem(refused, 401)
    assert await responses_of(client, consultation["id"], world.a.author.headers) == {}


async def test_a_link_opens_only_its_own_consultation(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    mine, partner = await consult_partner(client, world)
    other, _ = await consult_partner(client, world, reference="PROC-2")
    token = token_of(settings, partner)

    for path in (f"/consultations/{other['id']}", f"/{other['id']}", f"/{other['id']}/draft"):
        assert_problem(await client.get(link(token, path)), 404)
    assert (await client.get(link(token))).json()["consultation_id"] == mine["id"]


async def test_a_tampered_or_foreign_token_opens_nothing(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    consultee_hex, _, signature = token.partition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_secret = link_token(Keyring("another-secret"), uuid.UUID(partner["id"]), 1)
    [reader] = [
        c for c in await consultees(client, world, consultation["id"]) if c["kind"] == "person"
    ]
    person_token = link_token(settings.keyring, uuid.UUID(reader["id"]), 1)

    for bad in (
        f"{consultee_hex}.{flipped}",
        other_secret,
        consultee_hex,
        "not-a-token",
        person_token,
    ):
        assert_problem(await client.get(link(bad)), 404)
        assert_problem(await client.get(link(bad, "/draft")), 404)
        assert_problem(await client.put(link(bad, "/response"), json={"position": "support"}), 404)
    assert await responses_of(client, consultation["id"], world.a.author.headers) == {}


async def test_a_revoked_link_says_it_was_withdrawn(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    assert (await client.get(link(token))).status_code == 200

    revoked = await client.post(
        f"/v1/consultations/{consultation['id']}/consultees/{partner['id']}/revoke-link",
        headers=world.a.author.headers,
    )

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["link_version"] == partner["link_version"] + 1
    assert revoked.json()["link_revoked_at"] is not None
    body = assert_problem(await client.get(link(token)), 403)
    assert "withdrawn" in body["detail"]
    assert_problem(await client.put(link(token, "/response"), json={"position": "support"}), 403)
    # Even a token of the new version opens nothing until a new link is sent.
    assert_problem(await client.get(link(token_of(settings, revoked.json()))), 403)


async def test_sending_a_new_link_voids_the_old_one(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    old = token_of(settings, partner)
    path = f"/v1/consultations/{consultation['id']}/consultees/{partner['id']}"
    assert (await client.post(f"{path}/revoke-link", headers=world.a.author.headers)).is_success

    sent = await client.post(f"{path}/send-link", headers=world.a.author.headers)

    assert sent.status_code == 200, sent.text
    assert sent.json()["link_version"] == partner["link_version"] + 2
    assert sent.json()["link_revoked_at"] is None
    new = token_of(settings, sent.json())
    assert new != old
    assert (await client.get(link(new))).status_code == 200
    assert "withdrawn" in assert_problem(await client.get(link(old)), 403)["detail"]
    answered = await client.put(link(new, "/response"), json={"position": "no_view"})
    assert answered.status_code == 201, answered.text


async def test_only_external_consultees_have_links(client: AsyncClient, world: World) -> None:
    consultation, _ = await consult_partner(client, world)
    [reader] = [
        c for c in await consultees(client, world, consultation["id"]) if c["kind"] == "person"
    ]
    path = f"/v1/consultations/{consultation['id']}/consultees/{reader['id']}"

    for action in ("revoke-link", "send-link"):
        assert_problem(await client.post(f"{path}/{action}", headers=world.a.author.headers), 422)


async def test_a_link_expires_the_grace_period_after_the_close(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    grace = timedelta(days=settings.consultation_link_grace_days)
    await move_close(world, consultation["id"], datetime.now(UTC) - grace - timedelta(minutes=5))
    assert await sweep_close(world, after=timedelta(0)) == 1

    body = assert_problem(await client.get(link(token)), 403)

    assert "expired" in body["detail"]
    assert_problem(await client.get(link(token, "/draft")), 403)
    assert_problem(await client.put(link(token, "/response"), json={"position": "support"}), 403)


async def test_a_link_expires_after_the_grace_period_even_before_the_sweep_closes_it(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    grace = timedelta(days=settings.consultation_link_grace_days)
    await move_close(world, consultation["id"], datetime.now(UTC) - grace - timedelta(minutes=5))

    body = assert_problem(await client.get(link(token_of(settings, partner))), 403)

    assert "expired" in body["detail"]


async def test_a_response_through_the_link_after_the_close_within_grace_is_late(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    grace = timedelta(days=settings.consultation_link_grace_days)
    await move_close(world, consultation["id"], datetime.now(UTC) - grace + timedelta(days=1))
    assert await sweep_close(world, after=timedelta(0)) == 1
    assert (await client.get(link(token))).json()["status"] == "closed"

    late = await client.put(
        link(token, "/response"), json={"position": "object", "comments": "Sorry, late."}
    )

    assert late.status_code == 201, late.text
    assert late.json()["is_late"] is True
    recorded = (await responses_of(client, consultation["id"], world.a.author.headers))[
        PARTNER["name"]
    ]
    assert recorded["is_late"] is True
    assert recorded["recorded_by_id"] is None


async def test_a_cancelled_consultations_link_is_refused(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    consultation, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    cancelled = await client.post(
        f"/v1/consultations/{consultation['id']}/cancel",
        json={"reason": "The wrong draft was sent."},
        headers=world.a.author.headers,
    )
    assert cancelled.status_code == 200, cancelled.text

    body = assert_problem(await client.get(link(token)), 403)

    assert "cancelled" in body["detail"]
    assert_problem(await client.get(link(token, "/draft")), 403)
    assert_problem(await client.put(link(token, "/response"), json={"position": "support"}), 403)


async def test_a_scheduled_consultations_link_opens_nothing_yet(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    opens_at = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    _, partner = await consult_partner(client, world, opens_at=opens_at)

    body = assert_problem(await client.get(link(token_of(settings, partner))), 403)

    assert "not opened" in body["detail"]


async def test_another_organisation_cannot_see_or_manage_the_external_consultee(
    client: AsyncClient, world: World
) -> None:
    consultation, partner = await consult_partner(client, world)
    path = f"/v1/consultations/{consultation['id']}"

    for headers in (world.b.admin.headers, world.b.policy_officer.headers):
        assert_problem(await client.get(f"{path}/consultees", headers=headers), 404)
        for action in ("revoke-link", "send-link"):
            refused = await client.post(
                f"{path}/consultees/{partner['id']}/{action}", headers=headers
            )
            assert_problem(refused, 404)
    assert (await partner_now(client, world, consultation["id"]))["link_version"] == 1


async def test_the_audit_trail_names_the_external_consultee_as_the_actor(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    _, partner = await consult_partner(client, world)
    token = token_of(settings, partner)
    first = await client.put(link(token, "/response"), json={"position": "support"})
    assert first.status_code == 201, first.text
    await client.put(link(token, "/response"), json={"position": "no_view"})

    for headers in (world.a.admin.headers, world.a.policy_officer.headers):
        trail = await client.get(
            "/v1/audit", params={"entity_type": "consultation_response"}, headers=headers
        )
        assert trail.status_code == 200, trail.text
        records = trail.json()["items"]
        assert [r["action"] for r in records] == [
            "consultation_response.recorded",
            "consultation_response.amended",
        ]
        for record in records:
            assert record["entity_id"] == first.json()["id"]
            assert record["actor_label"] == f"external consultee {PARTNER['email']}"
            assert record["actor_person_id"] is None
            assert record["actor_api_key_id"] is None


async def test_a_closing_time_at_the_end_of_the_calendar_is_refused_before_a_link_exists(
    client: AsyncClient, world: World
) -> None:
    """A link's expiry is the close plus the grace period: a close near 9999-12-31 would
    overflow it, so such a closing time is refused on opening."""
    document_id, version_id = await create_document_with_draft(client, world)
    refused = await client.post(
        "/v1/consultations",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "kind": "internal",
            "audience": {"external": [PARTNER]},
            "closes_at": "9999-12-31T12:00:00+00:00",
        },
        headers=world.a.author.headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_token_with_non_ascii_characters_is_not_found_on_every_public_feed_or_link(
    client: AsyncClient, world: World
) -> None:
    """Tokens come from addresses people paste: anything in them is a 404, never a 500."""
    _, partner = await consult_partner(client, world)
    forged = f"{uuid.UUID(partner['id']).hex}.signé"
    assert (await client.get(link(forged))).status_code == 404
    person = world.a.reader.person_id
    feed = await client.get(f"/v1/calendar-feeds/people/{person}.ics", params={"token": "é"})
    assert feed.status_code == 404, feed.text
    board = await client.post(
        "/v1/boards",
        json={"name": "Feed board", "purpose": "Test."},
        headers=world.a.policy_officer.headers,
    )
    assert board.status_code == 201, board.text
    board_feed = await client.get(
        f"/v1/calendar-feeds/boards/{board.json()['id']}.ics", params={"token": "é"}
    )
    assert board_feed.status_code == 404, board_feed.text
