"""Tri.x amendment packs through the API (issue 20, item 3; NCT 3.4 a v: "Tri.x will not accept
or publish amended material if changes have not been 'tracked'"): a month's or an update cycle's
issued versions, each with its change summary and a redline of its changed sections only, as
HTML and as a Word document."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import docx
import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import update

from services.api.app import create_app
from services.domain.clock import london_today
from services.domain.models.publications import Publication
from services.domain.settings import Settings
from tests.factories import Org, World, document_body

PACKS = "/v1/amendment-packs"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

BEFORE = """# Child in Need Plans and Reviews

## Purpose

This procedure describes how Child in Need Plans are agreed, reviewed and ended.

## Visits

The child is visited at least every four weeks and seen alone where appropriate.

## Reviews

The plan is reviewed at least every three months."""

AFTER = BEFORE.replace("every four weeks", "every six weeks").replace(
    "## Reviews", "## Reviews\n\nThe first review is held within three months of the plan."
)


async def _document(client: AsyncClient, org: Org, **fields: Any) -> str:
    people = {
        "owner_id": str(org.approver.person_id),
        "responsible_officer_id": str(org.author.person_id),
    }
    created = await client.post(
        "/v1/documents",
        json=document_body(kind="procedure", **{**people, **fields}),
        headers=org.policy_officer.headers,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _issue(
    client: AsyncClient, org: Org, document_id: str, text: str, summary: str, issued_on: str
) -> None:
    """A version registered as issued on ``issued_on`` (already live on Tri.x)."""
    added = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("chapter.md", text.encode(), "text/markdown")},
        data={"issued": "true", "issued_on": issued_on, "change_summary": summary},
        headers=org.policy_officer.headers,
    )
    assert added.status_code == 201, added.text


async def _amended_in_march(client: AsyncClient, org: Org) -> str:
    document_id = await _document(
        client, org, reference="PROC-10", title="Child in Need Plans and Reviews"
    )
    await _issue(client, org, document_id, BEFORE, "First issue", "2026-02-10")
    await _issue(
        client, org, document_id, AFTER, "Tri.x update: visits every six weeks", "2026-03-05"
    )
    return document_id


async def test_a_month_pack_redlines_only_the_changed_sections_with_the_words_marked(
    client: AsyncClient, world: World
) -> None:
    await _amended_in_march(client, world.a)
    new = await _document(client, world.a, reference="PROC-9", title="Private <b>Fostering</b>")
    await _issue(
        client, world.a, new, "# Private Fostering\n\nNotify within 48 hours.", "", "2026-03-20"
    )

    response = await client.get(f"{PACKS}?month=2026-03", headers=world.a.reader.headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        response.headers["content-disposition"] == 'inline; filename="amendment-pack-2026-03.html"'
    )
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert "Tri.x update: visits every six weeks" in page
    assert "1.0 → 2.0" in page
    # The changed words, marked where they changed, not the whole paragraph.
    assert ">four</del>" in page and ">six</ins>" in page
    assert "visited at least every <del" in page
    assert ">The first review is held within three months of the plan.</ins>" in page
    # Changed sections have a heading of their own; the unchanged one is only named.
    assert "<h4>Visits</h4>" in page and "<h4>Reviews</h4>" in page
    assert "<h4>Purpose</h4>" not in page
    assert "Unchanged sections: Child in Need Plans and Reviews; Purpose." in page
    assert "This procedure describes how" not in page
    # A new document is listed as such; what authors typed is escaped; chapters in order.
    assert "New: 1.0" in page
    assert "Private &lt;b&gt;Fostering&lt;/b&gt;" in page and "<b>Fostering" not in page
    assert page.index("PROC-9 ") < page.index("PROC-10 ")


async def test_the_word_pack_strikes_deletions_and_underlines_insertions(
    client: AsyncClient, world: World
) -> None:
    await _amended_in_march(client, world.a)

    response = await client.get(
        f"{PACKS}?month=2026-03&format=docx", headers=world.a.reader.headers
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    assert response.headers["content-disposition"] == (
        'attachment; filename="amendment-pack-2026-03.docx"'
    )
    document = docx.Document(io.BytesIO(response.content))
    runs = [run for p in document.paragraphs for run in p.runs]
    struck = {run.text for run in runs if run.font.strike}
    underlined = {run.text for run in runs if run.underline}
    assert "four" in struck and "six" in underlined
    assert "The first review is held within three months of the plan." in underlined
    assert not any("every" in text for text in struck | underlined)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "PROC-10 Child in Need Plans and Reviews" in headings
    assert "Visits" in headings and "Purpose" not in headings


async def test_a_month_is_counted_in_london_days(client: AsyncClient, world: World) -> None:
    document_id = await _document(client, world.a, reference="PROC-1", title="Retired chapter")
    await _issue(client, world.a, document_id, "# Retired chapter\n\nText.", "First", "2026-03-31")
    current = await client.get(
        f"/v1/documents/{document_id}", headers=world.a.policy_officer.headers
    )
    retired = await client.patch(
        f"/v1/documents/{document_id}",
        json={"status": "retired"},
        headers={**world.a.policy_officer.headers, "If-Match": current.headers["ETag"]},
    )
    assert retired.status_code == 200, retired.text
    # Taken off the Manual at 23:30 UTC on 31 March: 00:30 on 1 April in London (BST).
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Publication)
            .where(Publication.document_id == document_id, Publication.action == "remove")
            .values(created_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
        )

    march = (await client.get(f"{PACKS}?month=2026-03", headers=world.a.reader.headers)).text
    april = (await client.get(f"{PACKS}?month=2026-04", headers=world.a.reader.headers)).text

    assert "New: 1.0" in march and "Tuesday 31 March 2026" in march
    assert "<h2>Withdrawn</h2>" not in march
    assert "<h2>Withdrawn</h2>" in april and "Wednesday 1 April 2026" in april
    assert "Taken off the Manual: retired." in april
    assert "New: 1.0" not in april


async def test_an_empty_month_is_a_valid_empty_pack(client: AsyncClient, world: World) -> None:
    await _amended_in_march(client, world.a)

    page = await client.get(f"{PACKS}?month=2026-05", headers=world.a.reader.headers)
    word = await client.get(f"{PACKS}?month=2026-05&format=docx", headers=world.a.reader.headers)
    # Another organisation's March is empty too: the pack reads only the caller's register.
    theirs = await client.get(f"{PACKS}?month=2026-03", headers=world.b.reader.headers)

    assert page.status_code == 200 and word.status_code == 200
    assert "No document was issued in this period." in page.text
    assert "PROC-10" not in page.text
    texts = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert "No document was issued in this period." in texts
    assert "No document was issued in this period." in theirs.text


async def test_a_month_that_is_not_one_is_refused(client: AsyncClient, world: World) -> None:
    for month in ("2026-13", "2026-3", "26-03", "2026-03-01"):
        response = await client.get(f"{PACKS}?month={month}", headers=world.a.reader.headers)
        assert response.status_code == 422, month
    bad_format = await client.get(
        f"{PACKS}?month=2026-03&format=pdf", headers=world.a.reader.headers
    )
    no_month = await client.get(PACKS, headers=world.a.reader.headers)
    assert no_month.status_code == 422
    assert bad_format.status_code == 422


@pytest.fixture
async def tight_client(settings: Settings) -> AsyncIterator[AsyncClient]:
    """An app allowing one document and 600 characters of compared text per pack."""
    app = create_app(
        settings.model_copy(
            update={"amendment_pack_max_documents": 1, "amendment_pack_max_text_chars": 600}
        )
    )
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        yield c
    await app.state.redis.aclose()
    await app.state.engine.dispose()


async def test_a_pack_beyond_its_bounds_is_a_problem_naming_the_limit(
    client: AsyncClient, tight_client: AsyncClient, world: World
) -> None:
    await _amended_in_march(client, world.a)
    small = await _document(client, world.a, reference="PROC-11", title="Small")
    await _issue(client, world.a, small, "# Small\n\nShort.", "First", "2026-04-02")
    other = await _document(client, world.a, reference="PROC-12", title="Other")
    await _issue(client, world.a, other, "# Other\n\nShort.", "First", "2026-04-03")

    too_many = await tight_client.get(f"{PACKS}?month=2026-04", headers=world.a.reader.headers)
    too_long = await tight_client.get(f"{PACKS}?month=2026-03", headers=world.a.reader.headers)

    assert too_many.status_code == 422
    assert too_many.headers["content-type"].startswith("application/problem+json")
    assert too_many.json()["limit"] == "amendment_pack_max_documents"
    assert "more than the limit of 1" in too_many.json()["detail"]
    assert too_long.status_code == 422
    assert too_long.json()["limit"] == "amendment_pack_max_text_chars"
    # Within the bounds the same app answers.
    fine = await tight_client.get(f"{PACKS}?month=2026-05", headers=world.a.reader.headers)
    assert fine.status_code == 200


# --- update cycles -----------------------------------------------------------------------------


async def _decide(client: AsyncClient, item_id: str, org: Org, **body: Any) -> None:
    current = await client.get(f"/v1/update-cycle-items/{item_id}", headers=org.author.headers)
    decided = await client.patch(
        f"/v1/update-cycle-items/{item_id}",
        json=body,
        headers={**org.author.headers, "If-Match": current.headers["ETag"]},
    )
    assert decided.status_code == 200, decided.text


async def test_a_cycle_pack_holds_the_agreed_chapters_issued_since_the_plan_arrived(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    amended = await _amended_in_march(client, a)
    waiting = await _document(client, a, reference="PROC-20", title="Contacts and Referrals")
    await _issue(client, a, waiting, "# Contacts\n\nScreen in a day.", "First", "2026-02-01")
    refused = await _document(client, a, reference="PROC-30", title="Strategy Discussions")
    await _issue(client, a, refused, "# Strategy\n\nOld.", "First", "2026-02-01")
    opened = await client.post(
        "/v1/update-cycles",
        json={
            "name": "Tri.x update December",
            "items": [
                {"chapter": "PROC-10", "recommendation": "Visits every six weeks."},
                {"chapter": "PROC-20", "recommendation": "Screening within one working day."},
                {"chapter": "PROC-30", "recommendation": "Add health to the discussion."},
            ],
        },
        headers=a.policy_officer.headers,
    )
    assert opened.status_code == 201, opened.text
    cycle = opened.json()
    items = {i["chapter"]: i["id"] for i in cycle["items"]}
    await _decide(client, items["PROC-10"], a, status="amended", outcome_note="Tracked changes")
    await _decide(client, items["PROC-20"], a, status="accepted")
    await _decide(client, items["PROC-30"], a, status="rejected", outcome_note="Not for us")
    today = london_today().isoformat()
    newer = AFTER.replace("three months of the plan", "three months of the plan being agreed")
    await _issue(client, a, amended, newer, "Tri.x update December", today)
    # Issued in the cycle's window, but its item was rejected: not part of this pack.
    await _issue(client, a, refused, "# Strategy\n\nNew.", "Local change", today)

    response = await client.get(
        f"/v1/update-cycles/{cycle['id']}/amendment-pack", headers=a.reader.headers
    )

    assert response.status_code == 200, response.text
    page = response.text
    assert "Update cycle: Tri.x update December" in page
    # Amended since the version in force when the plan arrived (2.0, issued in March).
    assert "2.0 → 3.0" in page and "Tri.x update December" in page
    assert "Update Plan item (amended): Visits every six weeks. RO's note: Tracked changes" in page
    assert " being agreed</ins>" in page
    assert "PROC-30" not in page
    # Agreed, but no version issued yet: on the front page for the officer to chase.
    assert "Agreed in the cycle, not yet issued" in page and "PROC-20" in page

    word = await client.get(
        f"/v1/update-cycles/{cycle['id']}/amendment-pack?format=docx", headers=a.reader.headers
    )
    assert word.status_code == 200, word.text
    assert word.headers["content-disposition"] == (
        'attachment; filename="amendment-pack-Tri.x-update-December.docx"'
    )
    runs = [r for p in docx.Document(io.BytesIO(word.content)).paragraphs for r in p.runs]
    assert "being agreed" in {r.text.strip() for r in runs if r.underline}


async def test_another_organisations_cycle_is_not_found(client: AsyncClient, world: World) -> None:
    opened = await client.post(
        "/v1/update-cycles",
        json={"name": "Tri.x update", "items": [{"chapter": "X", "recommendation": "Y"}]},
        headers=world.a.policy_officer.headers,
    )
    assert opened.status_code == 201, opened.text
    path = f"/v1/update-cycles/{opened.json()['id']}/amendment-pack"

    theirs = await client.get(path, headers=world.b.reader.headers)
    missing = await client.get(
        "/v1/update-cycles/00000000-0000-4000-8000-000000000000/amendment-pack",
        headers=world.b.reader.headers,
    )
    own = await client.get(path, headers=world.a.reader.headers)

    assert theirs.status_code == 404 and missing.status_code == 404
    assert theirs.json()["detail"] == missing.json()["detail"]
    assert own.status_code == 200
