"""Cafcass framework, read as a scenario: drafts are numbered and all retained, general staff
cannot see them, the draft goes out to consultation and every response is kept, the Policy
Sponsor signs it off, it is issued as 1.0 and published, it is reviewed a year on, and the
electronic paper trail answers a Freedom of Information request about who did what and when,
with the evidence of consultation and sign-off (4.6-4.14, step 7, 8.1)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.notifications import send_notification
from tests.api.consultations_support import respond, sweep_close
from tests.api.sign_off_support import create_route, decide, person_stage, submit
from tests.api.timeline_support import deadline_passes, relay, review_action
from tests.factories import World, document_body

SPONSOR = "Approver of alpha"  # Policy Sponsor (usually a Corporate Director)
AUTHOR = "Author of alpha"  # Policy Author, the lead officer
MANAGER = "Policy Officer of alpha"  # National Policy Manager
STAFF = "Reader of alpha"  # Head of Profession: general staff
TRIX_PAGE = "https://cafcass.trixonline.co.uk/chapter/policy-development-framework"


async def notifier_runs(world: World, settings: Settings) -> None:
    """The notifier turns what happened into emails and sends them (to files here)."""
    await relay(world)
    async with world.sessionmaker() as session:
        owed = await session.execute(
            select(Notification.id).where(Notification.status == "pending")
        )
        ids = [str(i) for i in owed.scalars()]
    ctx = {"settings": settings, "sessionmaker": world.sessionmaker, "transport": None}
    assert {await send_notification(ctx, i) for i in ids} <= {"sent"}


def by_key(entry: dict[str, Any]) -> bool:
    """Done by an API key acting for no person (the Trix upload script): named by its label."""
    name = entry["actor_name"] or ""
    return entry["actor_id"] is None and name.endswith("(integration key)")


async def test_a_policy_from_first_draft_to_its_annual_review_leaves_a_complete_paper_trail(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    cafcass = world.a
    manager, author, sponsor = (
        cafcass.policy_officer.headers,
        cafcass.author.headers,
        cafcass.approver.headers,
    )
    # The National Policy Manager registers the policy; the author drafts it for the sponsor.
    policy = await client.post(
        "/v1/documents",
        json=document_body(
            reference="POL-PDF",
            title="Policy Development Framework",
            kind="policy_framework",
            owner_id=str(cafcass.approver.person_id),
            author_id=str(cafcass.author.person_id),
            responsible_officer_id=str(cafcass.author.person_id),
        ),
        headers=manager,
    )
    assert policy.status_code == 201
    doc = policy.json()
    # Step 6: the sponsor signs the final draft off, once consultation has closed (4.6).
    await create_route(
        client,
        world,
        [person_stage("sponsor", name="Policy Sponsor sign-off")],
        key="sponsor_sign_off",
        definition={"gates": ["consultation_closed"]},
    )

    async def add(headers: dict[str, str], text: str, issued: bool = False) -> dict[str, Any]:
        response = await client.post(
            f"/v1/documents/{doc['id']}/versions",
            files={"file": ("framework.md", text.encode(), "text/markdown")},
            data={"change_summary": text[:40], "issued": str(issued).lower()},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    # 4.11: drafts 0.1, 0.2, 0.3 until it is ready to be issued.
    await add(author, "Eight key steps. Consultation where needed.")
    consulted = await add(author, "Eight key steps. Three-month consultation for broad change.")
    # 4.9: general access to the drafts is prohibited.
    staff_view = await client.get(
        f"/v1/documents/{doc['id']}/versions", headers=cafcass.reader.headers
    )
    assert staff_view.json() == []

    # 4.6-4.7, step 4: draft 0.2 goes out to a full consultation, to staff and a stakeholder.
    opened = await client.post(
        "/v1/consultations",
        json={
            "document_id": doc["id"],
            "version_id": consulted["id"],
            "kind": "public",
            "title": "Consultation: Policy Development Framework",
            "description": "Please tell us what you think of the eight key steps.",
            "audience": {
                "people": [str(cafcass.reader.person_id)],
                "external": [
                    {
                        "name": "Rhiannon Price",
                        "email": "rhiannon.price@northshire.example.org",
                        "represents": "Northshire Children's Services",
                    }
                ],
            },
        },
        headers=author,
    )
    assert opened.status_code == 201, opened.text
    consultation_id = opened.json()["id"]
    await notifier_runs(world, settings)
    said = await respond(
        client,
        consultation_id,
        cafcass.reader.headers,
        "support_with_comments",
        comments="Say who decides when consultation may be shorter.",
    )
    assert said.status_code == 201, said.text
    consultees = await client.get(f"/v1/consultations/{consultation_id}/consultees", headers=author)
    partner = next(c for c in consultees.json() if c["kind"] == "external")
    # The partner answered by email; the author records it.
    emailed = await client.post(
        f"/v1/consultations/{consultation_id}/responses",
        json={"consultee_id": partner["id"], "position": "support"},
        headers=author,
    )
    assert emailed.status_code == 201, emailed.text
    await deadline_passes(world, consultation_id)
    assert await sweep_close(world, after=timedelta(0)) == 1

    # The final draft, after consultation, is signed off by the sponsor and issued as 1.0.
    final = await add(author, "Eight key steps. Three-month consultation. EIA before sign-off.")
    submitted = await submit(client, world, doc["id"], final["id"], headers=author)
    assert submitted.status_code == 201, submitted.text
    await notifier_runs(world, settings)
    approved = await decide(client, submitted.json(), sponsor)
    assert approved.status_code == 201, approved.text
    issued = await client.get(f"/v1/documents/{doc['id']}", headers=manager)
    assert (issued.json()["status"], issued.json()["issued_version"]) == ("published", "1.0")

    # Step 7: the upload script publishes it (Cafcass OPC / Trix).
    pending = await client.get(
        "/v1/publications?status=pending", headers=cafcass.integration.headers
    )
    (upload,) = [p for p in pending.json()["items"] if p["document_id"] == doc["id"]]
    done = await client.post(
        f"/v1/publications/{upload['id']}/uploaded",
        json={"trix_url": TRIX_PAGE},
        headers=cafcass.integration.headers,
    )
    assert done.status_code == 200, done.text
    # After issue, staff see the issued version and nothing else.
    staff_view = await client.get(
        f"/v1/documents/{doc['id']}/versions", headers=cafcass.reader.headers
    )
    assert [v["number"] for v in staff_view.json()] == ["1.0"]
    # Every draft is retained (4.9) and the sponsor can see what changed between drafts.
    all_versions = await client.get(f"/v1/documents/{doc['id']}/versions", headers=sponsor)
    assert [v["number"] for v in all_versions.json()] == ["1.0", "0.3", "0.2", "0.1"]
    diff = await client.get(f"/v1/documents/{doc['id']}/versions/0.1/diff/0.2", headers=sponsor)
    assert diff.json()["summary"]["changed"] == 1

    # 8.1: the annual review; the author finds nothing to change and the sponsor agrees.
    review = await client.post(
        "/v1/reviews", json={"document_id": doc["id"], "kind": "scheduled"}, headers=author
    )
    assert review.status_code == 201, review.text
    statement = {"statement": "The framework still matches how we work."}
    await review_action(client, world, review.json()["id"], "no-change", author, statement)
    await notifier_runs(world, settings)
    await review_action(client, world, review.json()["id"], "confirm", sponsor)
    await notifier_runs(world, settings)

    # 4.14: the paper trail for an FOI request: who did what, when, in order.
    trail = await client.get(f"/v1/documents/{doc['id']}/timeline", headers=manager)
    assert trail.status_code == 200, trail.text
    entries = trail.json()["entries"]
    story = [
        (e["type"], "the upload script" if by_key(e) else e["actor_name"])
        for e in entries
        if e["type"] != "notification.email"
    ]
    assert story == [
        ("version.added", AUTHOR),
        ("version.added", AUTHOR),
        ("consultation.opened", AUTHOR),
        ("consultation.response", STAFF),
        ("consultation.response", AUTHOR),
        ("consultation.closed", None),
        ("consultation.report", None),
        ("version.added", AUTHOR),
        ("sign_off.submitted", AUTHOR),
        ("sign_off.stage_started", None),
        ("sign_off.decision", SPONSOR),
        ("version.added", SPONSOR),
        ("document.issued", SPONSOR),
        ("publication.queued", None),
        ("sign_off.closed", None),
        ("publication.done", "the upload script"),
        ("review.started", AUTHOR),
        ("review.no_change_stated", AUTHOR),
        ("review.completed", SPONSOR),
    ]
    by_type = {e["type"]: e for e in entries}
    assert (
        "Rhiannon Price (Northshire Children's Services)"
        in by_type["consultation.opened"]["summary"]
    )
    assert by_type["consultation.report"]["summary"].startswith(
        "Consultation report: 2 of 2 consultees responded (1 support, 1 support with comments)"
    )
    assert by_type["publication.done"]["details"]["trix_url"] == TRIX_PAGE
    # Who was told what, and when: the invitations, the sponsor asked to decide, the issue.
    told = {
        (e["details"]["kind"], e["details"]["recipient_name"], e["details"]["status"])
        for e in entries
        if e["type"] == "notification.email"
    }
    assert {
        ("consultation.invited", STAFF, "sent"),
        ("consultation.invited", "Rhiannon Price", "sent"),
        ("sign_off.decision_needed", SPONSOR, "sent"),
        ("document.published", AUTHOR, "sent"),
        ("review.no_change_to_confirm", SPONSOR, "sent"),
    } <= told

    # The audit chain behind it is unbroken.
    verdict = await client.get("/v1/audit/verification", headers=cafcass.admin.headers)
    assert verdict.json()["is_intact"] is True

    # One call answers the FOI request: every version, the consultation report, the audit.
    foi = await client.get(f"/v1/documents/{doc['id']}/paper-trail.zip", headers=manager)
    assert foi.status_code == 200, foi.text
    archive = zipfile.ZipFile(io.BytesIO(foi.content))
    assert sorted(n for n in archive.namelist() if n.startswith("versions/")) == [
        "versions/0.1_framework.md",
        "versions/0.2_framework.md",
        "versions/0.3_framework.md",
        "versions/1.0_framework.md",
    ]
    report = json.loads(archive.read(f"consultations/{consultation_id}/report.json"))
    assert [r["consultee"]["name"] for r in report["responses"]] == [STAFF, "Rhiannon Price"]
    audit = json.loads(archive.read("audit.json"))
    assert audit["verification"]["result"] == "intact"
    assert {
        "consultation_response.recorded",
        "sign_off.decision_recorded",
        "document.issued",
        "publication.uploaded",
        "review.completed",
    } <= {r["action"] for r in audit["records"]}
