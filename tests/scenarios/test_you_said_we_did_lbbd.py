"""LBBD Policy and Procedure Development Process (seed 000), steps 6 and 8, through the HTTP
API on the seeded organisation: "Circulate the draft to stakeholders and collect feedback",
then "Embed all the feedback from stakeholders and ensure all necessary changes are made." The
stakeholders who gave feedback are then told, when the procedure is issued, what was heard and
what changed ("You said, we did"), each theme linked to the paragraphs that changed; a partner
agency with no account reads it from the link in its email, as can anyone it passes it on to.
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.settings import Settings
from services.notifier.email import render
from tests.api.summaries_support import sent
from tests.factories import World
from tests.notifier.test_email import parts
from tests.pages.test_email_links import links_in
from tests.scenarios.seeded import (
    get_json,
    open_consultation,
    register_document,
    respond,
    seed,
    upload_draft,
)

HEALTHWATCH = "healthwatch@healthwatch-bd.example.org"
DRAFT = """# Hospital Discharge Procedure
Social workers assess needs before the person leaves hospital.
The discharge plan is shared with the person and their carer.
Equipment is ordered by the ward."""
REVISED = """# Hospital Discharge Procedure
Social workers assess needs before the person leaves hospital.
The discharge plan is shared with the person and their carer, in the format they need.
Equipment is ordered by the ward.
Carers are offered a carer's assessment before the person comes home."""


async def _analyse(
    client: AsyncClient, team: dict[str, str], consultation_id: str, who: str, **body: Any
) -> None:
    listed = await get_json(client, f"/v1/consultations/{consultation_id}/responses", team)
    response_id = next(r["id"] for r in listed if r["consultee_name"] == who)
    path = f"/v1/consultations/{consultation_id}/responses/{response_id}"
    etag = (await client.get(path, headers=team)).headers["ETag"]
    patched = await client.patch(path, json=body, headers={**team, "If-Match": etag})
    assert patched.status_code == 200, patched.text


async def test_stakeholders_are_told_what_they_said_and_what_changed_when_it_is_issued(
    client: AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    world: World,
) -> None:
    lbbd = await seed(
        sessionmaker,
        "lbbd",
        {
            "priya": "policy_officer",  # Policy and Procedure Officer
            "tomasz": "reader",  # Senior Social Worker, Locality Team
            "ryan": "reader",  # Service Manager, Carers and Direct Payments
            "grace": "reader",  # Team Manager, Locality Social Work
        },
    )
    team = lbbd.headers("priya")
    procedure = await register_document(
        client,
        team,
        reference="PROC-011",
        title="Hospital Discharge Procedure",
        kind="procedure",
        service_area="Adult Social Care",
        owner_id=lbbd.id("marcus"),
        author_id=lbbd.id("priya"),
    )
    draft = await upload_draft(client, team, procedure["id"], DRAFT, "First draft")

    # Step 6: "Circulate the draft to stakeholders and collect feedback."
    consultation = await open_consultation(
        client,
        team,
        document_id=procedure["id"],
        version_id=draft["id"],
        kind="internal",
        audience={
            "people": [lbbd.id("tomasz"), lbbd.id("ryan"), lbbd.id("grace")],
            "external": [
                {"name": "Healthwatch", "email": HEALTHWATCH, "represents": "Healthwatch"}
            ],
        },
    )
    cid = consultation["id"]
    plain = "Families need the plan in plain English or their own language."
    await respond(client, lbbd.headers("tomasz"), cid, "support_with_comments", comments=plain)
    carers = "Nothing here about carers: they must be offered an assessment."
    await respond(client, lbbd.headers("ryan"), cid, "object", comments=carers)
    await respond(client, lbbd.headers("grace"), cid, "support")
    emailed = await client.post(
        f"/v1/consultations/{cid}/responses",
        json={"consultee_id": next(c["id"] for c in await get_json(
            client, f"/v1/consultations/{cid}/consultees", team) if c["kind"] == "external"),
              "position": "support_with_comments",
              "comments": "People should get the plan in a format they can use."},
        headers=team,
    )  # fmt: skip
    assert emailed.status_code == 201, emailed.text
    closed = await client.post(f"/v1/consultations/{cid}/close", headers=team)
    assert closed.status_code == 200, closed.text

    # Step 8: "Embed all the feedback from stakeholders and ensure all necessary changes are
    # made": draft 0.2, and each comment analysed into themes.
    revised = await upload_draft(client, team, procedure["id"], REVISED, "After consultation")
    for who in ("Tomasz Nowicki", "Healthwatch"):
        await _analyse(client, team, cid, who, themes=["Accessible plans"], handling="accepted",
                       addressed_in_version_id=revised["id"])  # fmt: skip
    await _analyse(client, team, cid, "Ryan Tsang", themes=["Carers"], handling="accepted",
                   addressed_in_version_id=revised["id"])  # fmt: skip

    prefilled = await get_json(client, f"/v1/consultations/{cid}/summary", team)
    assert [t["theme"] for t in prefilled["themes"]] == ["Accessible plans", "Carers"]
    assert prefilled["themes"][0]["said"] == (
        "2 responses raised this: 2 supported it with comments."
    )
    changes = {c["key"]: c for c in prefilled["changes"]}
    assert changes["p3"]["kind"] == "changed" and changes["p5"]["kind"] == "added"
    written = await client.put(
        f"/v1/consultations/{cid}/summary",
        json={
            "introduction": "Thank you to everyone who commented on the draft procedure.",
            "themes": [
                {"theme": "Accessible plans", "outcome": "changed",
                 "said": "You asked that people get their discharge plan in a format they can use.",
                 "did": "The plan is now shared in the format the person needs.",
                 "changes": ["p3"]},
                {"theme": "Carers", "outcome": "changed",
                 "said": "You said the procedure left carers out.",
                 "did": "Carers are offered a carer's assessment before the person comes home.",
                 "changes": ["p5"]},
            ],
        },
        headers=team,
    )  # fmt: skip
    assert written.status_code == 200, written.text

    # Issued: the summary is published against 1.0 and everyone asked is sent it, once.
    issued = await client.post(
        f"/v1/documents/{procedure['id']}/versions",
        files={"file": ("issued.md", REVISED.encode(), "text/markdown")},
        data={"issued": "true", "change_summary": "Issued", "issued_on": str(london_today())},
        headers=team,
    )
    assert issued.status_code == 201, issued.text
    summary = await get_json(client, f"/v1/consultations/{cid}/summary", team)
    assert summary["status"] == "published" and summary["sent_at"] is not None
    notices = await sent(world)
    assert sorted(n.recipient_email for n in notices) == sorted(
        [HEALTHWATCH, *(f"{p}@lbbd.example.org" for p in (
            "tomasz.nowicki", "ryan.tsang", "grace.adebayo-hill"))]
    )  # fmt: skip

    # Healthwatch has no account: the link in its email opens the public page.
    to_healthwatch = next(n for n in notices if n.recipient_email == HEALTHWATCH)
    sending = settings.model_copy(update={"frontend_base_url": "http://testserver"})
    (link,) = links_in(*parts(render(to_healthwatch, sending)))
    page = await client.get(link)
    assert page.status_code == 200, page.text
    assert "You said the procedure left carers out." in page.text
    assert '#change-p5">Paragraph 5 (added)' in page.text
    for name in ("Tomasz", "Ryan Tsang", "Grace"):
        assert name not in page.text
