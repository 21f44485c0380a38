"""Cafcass Policy Development Framework (seed 002), step 4, for a stakeholder with no account:
"Issue for Consultation: The policy, the accompanying consultation letter outlining the
timeframe for the consultation and contact details and the consultation response form should
be uploaded onto the consultation page of the website" (step 4's table), and "a response form
with the consultation questions which can be placed on the website or emailed to stakeholders
... It is important to keep a clear file and record of all responses received to a
consultation" (4.7).

The partner agency's invitation links to its page (services/notifier/email.py, `respond_url`):
the letter, the draft and the form, in HTML that needs no account and no JavaScript; what it
sends is in the record the policy author reviews.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.consultations import links
from services.domain.settings import Settings
from tests.scenarios.seeded import (
    get_json,
    open_consultation,
    register_document,
    responses_by_name,
    seed,
    upload_draft,
)

PARTNER = "Northshire Children's Services"
LETTER = (
    "Cafcass is consulting for three months on this draft.\n\n"
    "Please use the response form; the National Policy Manager can also take responses by email."
)


async def test_a_partner_agency_reads_the_letter_and_the_draft_and_responds_on_its_page(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    cafcass = await seed(sessionmaker, "cafcass", {"ifeoma": "policy_officer", "harriet": "author"})
    author = cafcass.headers("harriet")
    policy = await register_document(
        client,
        cafcass.headers("ifeoma"),
        reference="POL-011",
        title="Hearing Children's Wishes and Feelings Policy",
        kind="policy",
        owner_id=cafcass.id("ifeoma"),
        responsible_officer_id=cafcass.id("ifeoma"),
        author_id=cafcass.id("harriet"),
    )
    draft = await upload_draft(
        client,
        author,
        policy["id"],
        "# Wishes and feelings\nEvery child over eight is offered a meeting with their FCA.",
        "Draft 0.1 approved by ECMT to proceed to consultation",
    )
    consultation = await open_consultation(
        client,
        author,
        document_id=policy["id"],
        version_id=draft["id"],
        kind="public",
        title="Consultation: Hearing Children's Wishes and Feelings",
        description=LETTER,
        audience={
            "external": [
                {
                    "name": "Rhiannon Price",
                    "email": "rp@northshire.example.org",
                    "represents": PARTNER,
                }
            ]
        },
        questions=[
            {
                "key": "clear",
                "text": "Is it clear when a child is offered a meeting?",
                "kind": "yes_no",
                "required": True,
            },
            {"key": "changes", "text": "What would you change, and why?"},
        ],
    )
    [partner] = await get_json(client, f"/v1/consultations/{consultation['id']}/consultees", author)
    token = links.link_token(settings.keyring, uuid.UUID(partner["id"]), partner["link_version"])
    page = f"/consultations/respond?{urlencode({'token': token})}"  # as the invitation writes it

    # The consultation page: the letter, the draft (its text too) and the response form.
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    assert "Cafcass is consulting for three months on this draft." in shown.text
    assert "Every child over eight is offered a meeting with their FCA." in shown.text
    assert "Is it clear when a child is offered a meeting?" in shown.text
    form_token = re.search(r'name="form_token" value="([^"]+)"', shown.text)
    assert form_token is not None

    # A form sent without the required answer says so, and nothing is recorded.
    incomplete = await client.post(
        page, data={"form_token": form_token.group(1), "position": "support"}
    )
    assert incomplete.status_code == 400
    assert "Answer the question" in incomplete.text
    assert await responses_by_name(client, author, consultation["id"]) == {}

    sent = await client.post(
        page,
        data={
            "form_token": form_token.group(1),
            "position": "support_with_comments",
            "comments": "Please share the meeting's outcome with the child's social worker.",
            "answer-clear": "yes",
            "answer-changes": "Offer the meeting from age six.",
        },
    )
    assert sent.status_code == 303
    assert "Response saved" in (await client.get(sent.headers["location"])).text

    # 4.7: the author's record of every response has it, answers and all.
    record = await responses_by_name(client, author, consultation["id"])
    assert record["Rhiannon Price"]["position"] == "support_with_comments"
    assert record["Rhiannon Price"]["answers"] == {
        "clear": True,
        "changes": "Offer the meeting from age six.",
    }
