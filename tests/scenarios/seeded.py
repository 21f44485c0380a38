"""Seed organisations for the sign-off scenarios, and the HTTP calls those scenarios repeat.

Setup only touches the database: it seeds one organisation (services/domain/demo) and issues
API keys for the seeded people a scenario needs. Everything after that goes through the API,
except ``sweep_at_deadline``, which stands in for the notifier's sweep closing a consultation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.access.service import create_api_key
from services.domain.consultations import lifecycle
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.organisations import service as organisations
from services.domain.people import service as people
from tests.api.boards_support import in_days

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}


@dataclass
class Seeded:
    """One seeded organisation: its people by first name, and API keys for some of them."""

    organisation_id: uuid.UUID
    people: dict[str, uuid.UUID]
    keys: dict[str, str] = field(default_factory=dict)

    def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}

    def id(self, name: str) -> str:
        return str(self.people[name])


def _first_name(email: str) -> str:
    return email.split("@")[0].split(".")[0]


async def seed(
    sessionmaker: async_sessionmaker[AsyncSession], slug: str, roles: dict[str, str]
) -> Seeded:
    """Seed ``slug`` and issue a key for each seeded person named in ``roles`` (first name ->
    one of the person's roles); ``roles["trix"] = "integration"`` issues the upload script's
    key, which belongs to no person."""
    spec = SPECS[slug]
    names = [_first_name(p["email"]) for p in spec["people"]]
    assert len(set(names)) == len(names), f"{slug}: first names are not unique"
    async with sessionmaker() as session:
        await seed_organisation(session, spec)
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        found: dict[str, uuid.UUID] = {}
        for p in spec["people"]:
            person = await people.find_by_email(session, org.id, p["email"])
            assert person is not None
            found[_first_name(p["email"])] = person.id
        seeded = Seeded(org.id, found)
        for name, role in roles.items():
            person_id = None if role == "integration" else found[name]
            if person_id is not None:
                spec_roles = next(
                    p.get("roles", []) for p in spec["people"] if _first_name(p["email"]) == name
                )
                assert role in spec_roles, f"{name} of {slug} does not hold the role {role}"
            issued = await create_api_key(
                session,
                None,
                organisation_id=org.id,
                role=role,
                name=f"{name} ({role})",
                person_id=person_id,
            )
            seeded.keys[name] = issued.secret
        await session.commit()
    return seeded


# --- HTTP ------------------------------------------------------------------------------------


async def get_json(client: AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.text)
    return response.json()


async def board_id(client: AsyncClient, headers: dict[str, str], name: str) -> str:
    boards = await get_json(client, "/v1/boards", headers)
    return str(next(b["id"] for b in boards if b["name"] == name))


async def document_by_reference(
    client: AsyncClient, headers: dict[str, str], reference: str
) -> dict[str, Any]:
    page = await get_json(client, "/v1/documents?limit=100", headers)
    found: dict[str, Any] = next(d for d in page["items"] if d["reference"] == reference)
    return found


async def register_document(
    client: AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    response = await client.post("/v1/documents", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def upload_draft(
    client: AsyncClient, headers: dict[str, str], document_id: str, text: str, summary: str = ""
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.md", text.encode(), "text/markdown")},
        data={"change_summary": summary},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def latest_draft(
    client: AsyncClient, headers: dict[str, str], document_id: str
) -> dict[str, Any]:
    versions = await get_json(client, f"/v1/documents/{document_id}/versions", headers)
    newest: dict[str, Any] = versions[0]
    assert not newest["is_issued"], newest
    return newest


async def sign_off(client: AsyncClient, headers: dict[str, str], sign_off_id: str) -> Any:
    return await get_json(client, f"/v1/sign-offs/{sign_off_id}", headers)


async def hold(
    client: AsyncClient,
    headers: dict[str, str],
    meeting_id: str,
    *,
    days_ago: int = 1,
) -> None:
    """The meeting happens: moved into the past, and every member of the board present."""
    got = await client.get(f"/v1/meetings/{meeting_id}", headers=headers)
    assert got.status_code == 200, got.text
    moved = await client.patch(
        f"/v1/meetings/{meeting_id}",
        json={"starts_at": in_days(-days_ago)},
        headers={**headers, "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    members = await get_json(client, f"/v1/boards/{got.json()['board_id']}/members", headers)
    attended = await client.put(
        f"/v1/meetings/{meeting_id}/attendance",
        json={"attendance": [{"person_id": m["person_id"], "status": "present"} for m in members]},
        headers=headers,
    )
    assert attended.status_code == 200, attended.text


async def minute(
    client: AsyncClient,
    headers: dict[str, str],
    meeting_id: str,
    item_id: str,
    outcome: str,
    **body: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/meetings/{meeting_id}/decisions",
        json={"agenda_item_id": item_id, "outcome": outcome, "method": "consensus", **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def stage(body: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in body["stages"] if s["key"] == key)
    return found


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {s["key"]: s["status"] for s in body["stages"]}


async def item_of(client: AsyncClient, headers: dict[str, str], item_id: str) -> dict[str, Any]:
    data: dict[str, Any] = await get_json(client, f"/v1/agenda-items/{item_id}", headers)
    return data


async def decided_at_meeting(
    client: AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    stage_key: str,
    board_name: str,
    outcome: str = "approved",
    *,
    ask: str | None = None,
    days_ago: int = 1,
    **minuted: Any,
) -> dict[str, Any]:
    """A board stage: its item is on the board's next meeting; the meeting is held and minuted.

    ``headers`` are the policy team's, who keep the minutes. Answers the sign-off after.
    """
    active = stage(body, stage_key)
    assert active["status"] == "active", (stage_key, statuses(body))
    assert active["board_id"] == await board_id(client, headers, board_name)
    item = await item_of(client, headers, active["agenda_item_id"])
    assert (item["board_id"], item["status"], item["version_id"]) == (
        active["board_id"],
        "planned",
        body["version_id"],
    )
    if ask is not None:
        assert item["ask"] == ask, item
    # Tabled for the board's next meeting (or, past its agenda deadline, the one after).
    upcoming = await client.get(
        "/v1/meetings",
        params={
            "board_id": active["board_id"],
            "status": "scheduled",
            "from": datetime.now(UTC).isoformat(),
            "limit": 2,
        },
        headers=headers,
    )
    assert upcoming.status_code == 200, upcoming.text
    following = [m["id"] for m in upcoming.json()["items"]]
    assert item["requested_meeting_id"] == following[0]
    assert item["meeting_id"] == following[1 if item["is_late"] else 0]
    await hold(client, headers, item["meeting_id"], days_ago=days_ago)
    await minute(client, headers, item["meeting_id"], item["id"], outcome, **minuted)
    after: dict[str, Any] = await sign_off(client, headers, body["id"])
    decision = after["decisions"][-1]
    assert (decision["stage_id"], decision["method"], decision["meeting_id"]) == (
        active["id"],
        "meeting",
        item["meeting_id"],
    )
    return after


async def decide(
    client: AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    outcome: str = "approved",
    **fields: Any,
) -> dict[str, Any]:
    """A person decides the stage waiting for them, on the version submitted."""
    response = await client.post(
        f"/v1/sign-offs/{body['id']}/decisions",
        json={"version_id": body["version_id"], "outcome": outcome, **fields},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def send_amendment(
    client: AsyncClient, headers: dict[str, str], body: dict[str, Any], version_id: str
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/sign-offs/{body['id']}/amendments",
        json={"version_id": version_id},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def route_id(client: AsyncClient, headers: dict[str, str], key: str) -> str:
    routes = await get_json(client, "/v1/routes", headers)
    return str(next(r["id"] for r in routes if r["key"] == key))


# --- consultations ---------------------------------------------------------------------------


async def open_consultation(
    client: AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post("/v1/consultations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def consultation_on(
    client: AsyncClient, headers: dict[str, str], document_id: str
) -> dict[str, Any]:
    """The one consultation on a document."""
    page = await get_json(client, f"/v1/consultations?document_id={document_id}", headers)
    (found,) = page["items"]
    data: dict[str, Any] = found
    return data


async def respond(
    client: AsyncClient,
    headers: dict[str, str],
    consultation_id: str,
    position: str,
    **body: Any,
) -> dict[str, Any]:
    """A consultee's own response, given for the first time."""
    response = await client.put(
        f"/v1/consultations/{consultation_id}/response",
        json={"position": position, **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def responses_by_name(
    client: AsyncClient, headers: dict[str, str], consultation_id: str
) -> dict[str, dict[str, Any]]:
    """{consultee name: response}, deemed agreement included, as the document's team sees them."""
    found = await get_json(client, f"/v1/consultations/{consultation_id}/responses", headers)
    return {r["consultee_name"]: r for r in found}


async def sweep_at_deadline(
    sessionmaker: async_sessionmaker[AsyncSession], consultation: dict[str, Any]
) -> None:
    """The notifier's sweep, run just after the consultation's closing time: it closes it."""
    closes_at = datetime.fromisoformat(consultation["closes_at"])
    async with sessionmaker() as session, session.begin():
        closed = await lifecycle.close_due(session, closes_at + timedelta(minutes=1))
    assert closed >= 1
