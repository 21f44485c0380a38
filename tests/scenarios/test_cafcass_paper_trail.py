"""Cafcass framework, read as a scenario: drafts are numbered and all retained, general staff
cannot see them, the issued version becomes 1.0, and the electronic paper trail answers a
Freedom of Information request about who did what and when (4.9-4.14)."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import World, document_body


async def test_a_policy_from_first_draft_to_issue_leaves_a_complete_paper_trail(
    client: AsyncClient, world: World
) -> None:
    cafcass = world.a
    # The National Policy Manager registers the policy; the author drafts it.
    policy = await client.post(
        "/v1/documents",
        json=document_body(
            reference="POL-PDF",
            title="Policy Development Framework",
            kind="policy_framework",
            owner_id=str(cafcass.approver.person_id),
            author_id=str(cafcass.author.person_id),
        ),
        headers=cafcass.policy_officer.headers,
    )
    assert policy.status_code == 201
    doc = policy.json()

    async def add(headers: dict[str, str], text: str, issued: bool = False) -> dict:
        response = await client.post(
            f"/v1/documents/{doc['id']}/versions",
            files={"file": ("framework.md", text.encode(), "text/markdown")},
            data={"change_summary": text[:40], "issued": str(issued).lower()},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    # 4.11: drafts 0.1, 0.2, 0.3 until it is ready to be issued.
    await add(cafcass.author.headers, "Eight key steps. Consultation where needed.")
    await add(cafcass.author.headers, "Eight key steps. Three-month consultation for broad change.")
    await add(
        cafcass.author.headers, "Eight key steps. Three-month consultation. EIA before sign-off."
    )
    # 4.9: general access to the drafts is prohibited.
    staff_view = await client.get(
        f"/v1/documents/{doc['id']}/versions", headers=cafcass.reader.headers
    )
    assert staff_view.json() == []
    # The issued version becomes 1.0.
    issued = await add(cafcass.policy_officer.headers, "Issued framework.", issued=True)
    assert issued["number"] == "1.0"
    # After issue, staff see the issued version and nothing else.
    staff_view = await client.get(
        f"/v1/documents/{doc['id']}/versions", headers=cafcass.reader.headers
    )
    assert [v["number"] for v in staff_view.json()] == ["1.0"]
    # Every draft is retained (4.9) and the sponsor can see what changed between drafts.
    sponsor = cafcass.approver.headers
    all_versions = await client.get(f"/v1/documents/{doc['id']}/versions", headers=sponsor)
    assert [v["number"] for v in all_versions.json()] == ["1.0", "0.3", "0.2", "0.1"]
    diff = await client.get(f"/v1/documents/{doc['id']}/versions/0.1/diff/0.2", headers=sponsor)
    assert diff.json()["summary"]["changed"] == 1

    # 4.14: the paper trail for an FOI request: who uploaded what, in order, unbroken.
    trail = await client.get(
        f"/v1/audit?entity_type=document&entity_id={doc['id']}",
        headers=cafcass.policy_officer.headers,
    )
    records = trail.json()["items"]
    actions = [(r["action"], r["actor_label"].split(" ")[0]) for r in records]
    assert actions == [
        ("document.created", "policy_officer@alpha.example.org"),
        ("document.version_added", "author@alpha.example.org"),
        ("document.version_added", "author@alpha.example.org"),
        ("document.version_added", "author@alpha.example.org"),
        ("document.version_added", "policy_officer@alpha.example.org"),
    ]
    assert [r["after"]["version"]["major"] for r in records[1:]] == [0, 0, 0, 1]
    assert records[-1]["after"]["status"] == "published"
    verdict = await client.get("/v1/audit/verification", headers=cafcass.admin.headers)
    assert verdict.json()["is_intact"] is True
