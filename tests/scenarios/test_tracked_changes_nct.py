"""Tracked changes, at NCT, through the HTTP API.

NCT Procedures Manual maintenance guidance (seed 003), 3.4 (a) v and 4.1 v:

    "Where a review leads to further amendments, Tri.x's Editing / Amending Advice must be
    adhered to. Tri.x will not accept or publish amended material if changes have not been
    'tracked'."

and the Manual's own banner: "Amendments made to Manual content must be made using 'Tracked
Changes'". So NCT's routes hold an amendment's sign-off until its draft is a Word document
with its changes tracked; a first issue has nothing to track. The draft's text reads as the
amended procedure (insertions kept, deletions left out), so the diff and search see the change.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.demo.word import tracked_docx
from tests.scenarios.seeded import document_by_reference, get_json, register_document, seed

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ISSUED = "# Core Groups\nThe core group meets within 10 working days.\nMinutes go to the family."
AMENDED = (
    "# Core Groups\nThe core group meets within 10 working days of the conference.\n"
    "Minutes go to the family.\nThe child's views are recorded at each meeting."
)


def untracked_docx(text: str) -> bytes:
    """The amended text as a Word document typed over, with nothing tracked."""
    content = tracked_docx("", text)
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    body = parts["word/document.xml"].decode()
    for tag in ("ins", "del"):
        body = body.replace(f"</w:{tag}>", "")
        while f"<w:{tag} " in body:
            start = body.index(f"<w:{tag} ")
            body = body[:start] + body[body.index(">", start) + 1 :]
    parts["word/document.xml"] = body.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


async def _upload(
    client: AsyncClient, headers: dict[str, str], document_id: str, name: str, content: bytes
) -> dict[str, Any]:
    media_type = DOCX if name.endswith(".docx") else "text/markdown"
    response = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": (name, content, media_type)},
        data={"change_summary": "Scheduled review"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def _submit(
    client: AsyncClient, headers: dict[str, str], document_id: str, version_id: str
) -> Any:
    return await client.post(
        "/v1/sign-offs", json={"document_id": document_id, "version_id": version_id},
        headers=headers,
    )  # fmt: skip


async def test_nct_an_amendment_goes_to_the_rsm_only_with_its_changes_tracked(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(
        sessionmaker,
        "nct",
        {
            "andrea": "policy_officer",  # Policy and Procedures Officer
            "rebecca": "approver",  # Strategic Manager, Child Protection: the RSM
            "laura": "author",  # Practice Manager, Child Protection: the RO
        },
    )
    officer, ro = nct.headers("andrea"), nct.headers("laura")
    procedure = await register_document(
        client, officer, reference="PROC-061", title="Core Groups", kind="procedure",
        service_area="Child Protection", owner_id=nct.id("rebecca"),
        responsible_officer_id=nct.id("laura"), author_id=nct.id("laura"),
    )  # fmt: skip
    # The first issue amends nothing: a Markdown draft may go to the RSM.
    first = await _upload(client, ro, procedure["id"], "core-groups.md", ISSUED.encode())
    assert first["tracked_insertions"] is None
    ready = await _readiness(client, ro, procedure["id"], first["id"])
    assert ready == [("changes_tracked", True, "Met: this is the document's first issue, so "
                      "there are no changes to track.")]  # fmt: skip
    issued = await client.post(
        f"/v1/documents/{procedure['id']}/versions",
        files={"file": ("core-groups.md", ISSUED.encode(), "text/markdown")},
        data={"change_summary": "Issued", "issued": "true"},
        headers=officer,
    )
    assert issued.status_code == 201, issued.text

    # A review's amendment typed into Markdown: Tri.x would refuse it.
    typed = await _upload(client, ro, procedure["id"], "core-groups.md", AMENDED.encode())
    refused = await _submit(client, ro, procedure["id"], typed["id"])
    assert refused.status_code == 409, refused.text
    [missing] = refused.json()["missing_gates"]
    assert missing["gate"] == "changes_tracked"
    assert "must be a Word document (.docx) with its changes tracked" in missing["detail"]

    # A Word document with nothing tracked: refused too, saying why.
    plain = await _upload(client, ro, procedure["id"], "core-groups.docx", untracked_docx(AMENDED))
    assert (plain["tracked_insertions"], plain["tracked_deletions"]) == (0, 0)
    refused = await _submit(client, ro, procedure["id"], plain["id"])
    assert refused.status_code == 409, refused.text
    assert "has no tracked changes" in refused.json()["missing_gates"][0]["detail"]

    # Made with Track Changes on: counted at upload, the gate met, the sign-off started.
    tracked = await _upload(
        client, ro, procedure["id"], "core-groups.docx", tracked_docx(ISSUED, AMENDED)
    )
    assert (tracked["tracked_insertions"], tracked["tracked_deletions"]) == (2, 1)
    [(_, is_met, detail)] = await _readiness(client, ro, procedure["id"], tracked["id"])
    assert is_met and "(2 insertions, 1 deletions)" in detail, detail
    assert (await _submit(client, ro, procedure["id"], tracked["id"])).status_code == 201

    # The draft reads as the amended procedure: the insertion is in its text and its diff.
    diff = await get_json(
        client,
        f"/v1/documents/{procedure['id']}/versions/{issued.json()['number']}/diff/"
        f"{tracked['number']}",
        ro,
    )
    after = [c["after"] for c in diff["changes"]]
    assert "The child's views are recorded at each meeting." in after, diff


async def _readiness(
    client: AsyncClient, headers: dict[str, str], document_id: str, version_id: str
) -> list[tuple[str, bool, str]]:
    ready = await get_json(
        client, f"/v1/sign-offs/readiness?document_id={document_id}&version_id={version_id}",
        headers,
    )  # fmt: skip
    return [(g["gate"], g["is_met"], g["detail"]) for g in ready["gates"]]


async def test_nct_the_demo_review_draft_comes_with_its_changes_tracked(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(sessionmaker, "nct", {"andrea": "policy_officer"})
    officer = nct.headers("andrea")
    s47 = await document_by_reference(client, officer, "PROC-001")
    [draft, _issued] = await get_json(client, f"/v1/documents/{s47['id']}/versions", officer)
    assert draft["media_type"] == DOCX and draft["tracked_insertions"] > 0, draft
    [(gate, is_met, _)] = await _readiness(client, officer, s47["id"], draft["id"])
    assert (gate, is_met) == ("changes_tracked", True)
