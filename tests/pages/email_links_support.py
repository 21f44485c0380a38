"""One real record of every kind an email links to, built through the HTTP API, and the
sample email contexts (tests/notifier/test_email.py) pointed at them."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient

from services.domain.access.view_links import sign_view_link
from services.domain.clock import london_today
from services.domain.models.consultation_summaries import ConsultationSummary, SummaryStatus
from services.domain.settings import Settings
from tests.api.boards_support import create_board, create_meeting, in_days, propose
from tests.api.consultations_support import open_consultation
from tests.api.policy_requests_support import ask, published_document
from tests.api.sign_off_support import (
    board_stage,
    create_document,
    create_route,
    person_stage,
    submit,
    upload_draft,
)
from tests.api.test_consultation_links import PARTNER
from tests.factories import World
from tests.pages.acknowledgement_support import ask_reader

PAPER = b"Draft procedure text for the board."
BASE_URL = "http://testserver"


@dataclass(frozen=True)
class Records:
    """The ids, and what each page must show to prove it is that record's."""

    document_id: str
    reference: str
    draft_document_id: str
    draft_reference: str
    consultation_id: str
    consultation_title: str
    meeting_id: str
    board_name: str
    agenda_item_id: str
    request_id: str
    request_title: str
    sign_off_id: str
    review_id: str
    cycle_id: str
    cycle_name: str
    # The external partner consulted too: their emails link to their own response page.
    consultee_id: str
    # A communication plan item on the issued procedure.
    plan_item_id: str = ""
    # A read-and-acknowledge request to the reader, when asked for.
    acknowledgement_id: str | None = None
    # The consultation's published "You said, we did" summary (its public page).
    summary_id: str = ""


async def build_records(
    client: AsyncClient, world: World, settings: Settings, *, acknowledgement: bool = False
) -> Records:
    """An issued procedure with a review; a draft under consultation, on a meeting's agenda
    and in sign-off; a request to the policy team; a Trix update cycle; and, when asked, the
    reader asked to acknowledge an issued version."""
    acknowledgement_id = None
    if acknowledgement:
        acknowledgement_id = str((await ask_reader(client, world, settings, "ACK-1"))[0])
    document_id = await published_document(client, world)
    draft_id = await create_document(client, world)
    version = await upload_draft(client, world, draft_id, PAPER)
    audience = {"people": [str(world.a.reader.person_id)], "external": [PARTNER]}
    consultation = await open_consultation(
        client, world, draft_id, version["id"], audience=audience
    )
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(40))
    item = await propose(client, world, board["id"], meeting["id"], draft_id)
    assert item.status_code == 201, item.text
    stages = [person_stage("owner_approval"), board_stage("board_approval", board["id"])]
    await create_route(client, world, stages)
    sign_off = await submit(client, world, draft_id, version["id"])
    assert sign_off.status_code == 201, sign_off.text
    asked = await ask(client, world.a.reader.headers)
    review = await client.post(
        "/v1/reviews",
        json={
            "document_id": document_id,
            "kind": "unscheduled",
            "trigger": "legislation_or_guidance_change",
        },
        headers=world.a.author.headers,
    )
    assert review.status_code == 201, review.text
    cycle = await client.post(
        "/v1/update-cycles",
        json={
            "name": "Tri.x update June",
            "items": [{"chapter": "Lone working", "recommendation": "Add the rota."}],
        },
        headers=world.a.policy_officer.headers,
    )
    assert cycle.status_code == 201, cycle.text
    plan_item = await client.post(
        f"/v1/documents/{document_id}/versions/1.0/communication-plan",
        json={"audience": "Team and Service Managers", "channel": "team_meetings",
              "planned_on": london_today().isoformat(), "owner_id": str(world.a.reader.person_id)},
        headers=world.a.policy_officer.headers,
    )  # fmt: skip
    assert plan_item.status_code == 201, plan_item.text
    consultees = await client.get(
        f"/v1/consultations/{consultation['id']}/consultees", headers=world.a.author.headers
    )
    documents = {
        d: (await client.get(f"/v1/documents/{d}", headers=world.a.admin.headers)).json()
        for d in (document_id, draft_id)
    }
    summary_id = await published_summary(world, consultation["id"], version["id"])
    return Records(
        document_id=document_id,
        reference=documents[document_id]["reference"],
        draft_document_id=draft_id,
        draft_reference=documents[draft_id]["reference"],
        consultation_id=consultation["id"],
        consultation_title=consultation["title"],
        meeting_id=meeting["id"],
        board_name=board["name"],
        agenda_item_id=item.json()["id"],
        request_id=asked["id"],
        request_title=asked["title"],
        sign_off_id=sign_off.json()["id"],
        review_id=review.json()["id"],
        cycle_id=cycle.json()["id"],
        cycle_name=cycle.json()["name"],
        consultee_id=next(c["id"] for c in consultees.json() if c["kind"] == "external"),
        plan_item_id=plan_item.json()["id"],
        acknowledgement_id=acknowledgement_id,
        summary_id=summary_id,
    )


async def published_summary(world: World, consultation_id: str, version_id: str) -> str:
    """A published "You said, we did" summary of the consultation, written straight to the
    table: the link test needs its public page, not the workflow (tests/api/
    test_consultation_summaries.py runs that)."""
    async with world.sessionmaker() as session, session.begin():
        summary = ConsultationSummary(
            organisation_id=world.a.id,
            consultation_id=uuid.UUID(consultation_id),
            status=SummaryStatus.PUBLISHED,
            themes=[{"theme": "Contacts", "said": "Three of you asked for the EDT number.",
                     "outcome": "changed", "did": "We added it.", "changes": []}],
            compared_version_id=uuid.UUID(version_id),
            published_at=datetime.now(UTC),
        )  # fmt: skip
        session.add(summary)
        await session.flush()
        return str(summary.id)


def pointed_at(kind: str, sample: dict[str, Any], records: Records) -> dict[str, Any]:
    """A sample context whose ids and API paths are the real records'."""
    context = copy.deepcopy(sample)
    by_key = {
        "document_id": records.document_id,
        "parent_document_id": records.document_id,
        "consultation_id": records.consultation_id,
        "meeting_id": records.meeting_id,
        "request_id": records.request_id,
        "cycle_id": records.cycle_id,
        "consultee_id": records.consultee_id,
        "acknowledgement_id": records.acknowledgement_id,
        "item_id": records.plan_item_id,
        "summary_id": records.summary_id,
        "summary_path": f"/you-said-we-did/{records.summary_id}",
        "sign_off_path": f"/v1/sign-offs/{records.sign_off_id}",
        "review_path": f"/v1/reviews/{records.review_id}",
        "report_path": (
            f"/v1/update-cycles/{records.cycle_id}/report"
            if kind.startswith("update_cycle.")
            else f"/v1/consultations/{records.consultation_id}/report.html"
        ),
    }
    context.update({k: v for k, v in by_key.items() if k in context and v is not None})
    for entry in context.get("entries", []):  # the digest's and a cascade's documents
        entry["document_id"] = records.document_id
        if entry.get("review_path"):
            entry["review_path"] = f"/v1/reviews/{records.review_id}"
    for entry in context.get("agenda", []):
        if entry.get("paper_path"):
            entry["paper_path"] = f"/v1/agenda-items/{records.agenda_item_id}/paper"
    return context


def view_token(
    settings: Settings,
    person_id: uuid.UUID,
    organisation_id: uuid.UUID,
    path: str,
    *,
    expires_in: timedelta = timedelta(days=1),
) -> str:
    """A token as the notifier signs one, for the negative tests."""
    return sign_view_link(
        settings.keyring,
        person_id=person_id,
        organisation_id=organisation_id,
        path=path,
        expires_at=datetime.now(UTC) + expires_in,
    )
