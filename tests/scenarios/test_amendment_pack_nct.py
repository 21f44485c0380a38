"""NCT's Trix update cycle ends in an amendment pack (issue 20, item 3).

NCT 3.4 a v: "Where a review leads to further amendments, Tri.x's Editing / Amending Advice must
be adhered to. Tri.x will not accept or publish amended material if changes have not been
'tracked'." and viii: "Approved procedures must be submitted to Tri.x for publication in the next
edition of the Manual". Andrea, the Policy and Procedures Officer, takes the cycle's pack: the
Child in Need chapter Patrick amended, with its changes tracked section by section; the
Contacts and Referrals chapter Chloe accepted, still awaiting sign-off; and not the Strategy
Discussions recommendation Rebecca rejected. Zoe, who only reads the Manual, may read it too.
"""

from __future__ import annotations

import io

import docx
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.demo.loader import load_data
from tests.scenarios.seeded import get_json, seed

Sessionmaker = async_sessionmaker[AsyncSession]

CYCLE_NAME = next(spec for spec in load_data()["organisations"] if spec["slug"] == "nct")[
    "update_cycles"
][0]["name"]


async def test_nct_sends_tri_x_the_cycles_amendments_tracked_section_by_section(
    client: AsyncClient, sessionmaker: Sessionmaker
) -> None:
    nct = await seed(sessionmaker, "nct", {"andrea": "policy_officer", "zoe": "reader"})
    cycles = await get_json(client, "/v1/update-cycles", nct.headers("andrea"))
    cycle = next(c for c in cycles["items"] if c["name"] == CYCLE_NAME)
    path = f"/v1/update-cycles/{cycle['id']}/amendment-pack"

    page = await client.get(path, headers=nct.headers("zoe"))

    assert page.status_code == 200, page.text
    html = page.text
    assert "PROC-003 Child in Need Plans and Reviews" in html and "1.0 → 2.0" in html
    assert "Scheduled update (Tri.x Update Plan)" in html
    # Only the sections the RO changed are redlined; the others are named as unchanged.
    assert "<h4>Visits</h4>" in html and "<h4>Reviews</h4>" in html
    assert "<h4>Scope</h4>" not in html and "<h4>Agreeing the plan</h4>" not in html
    assert "Unchanged sections:" in html and "Agreeing the plan" in html
    assert "where the plan has been stable for six months" in html
    assert "</ins>" in html and "</del>" in html
    # Accepted but still with the RSM: on the front page, not as an amendment.
    assert "Agreed in the cycle, not yet issued" in html
    assert "PROC-004" in html and "awaiting approval" in html
    assert "PROC-002" not in html  # rejected by its RO (RSM standing in)

    word = await client.get(f"{path}?format=docx", headers=nct.headers("andrea"))
    assert word.status_code == 200, word.text
    document = docx.Document(io.BytesIO(word.content))
    runs = [r for p in document.paragraphs for r in p.runs]
    assert any(r.underline and "stable for six months" in r.text for r in runs)
    assert any(r.font.strike for r in runs)
