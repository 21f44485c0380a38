"""Nobody sees or changes another organisation's records: their ids answer 404, like ids
that do not exist. Every route with an id in its path is covered; a new one fails this test
until it is added here."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from services.api.permissions import operations
from services.domain.clock import london_today
from services.domain.gates.checklist import QUESTIONS as FITNESS_QUESTIONS
from services.domain.models.documents import Document, DocumentVersion
from services.domain.publications.service import queue_publication
from tests.api.cascade_support import cascade_flag_of_b
from tests.factories import World, document_body


async def _b_resources(client: AsyncClient, world: World) -> dict[str, str]:
    h = world.b.admin.headers
    doc = (await client.post("/v1/documents", json=document_body(), headers=h)).json()
    other = (await client.post("/v1/documents", json=document_body(), headers=h)).json()
    version = (
        await client.post(
            f"/v1/documents/{doc['id']}/versions",
            files={"file": ("a.md", b"# Issued", "text/markdown")},
            data={"issued": "true"},
            headers=h,
        )
    ).json()
    link = (
        await client.post(
            f"/v1/documents/{doc['id']}/links",
            json={"target_id": other["id"], "kind": "relates_to"},
            headers=h,
        )
    ).json()
    # Its Policy Sponsor decides it (a document with nobody to decide takes no request).
    got = await client.get(f"/v1/documents/{doc['id']}", headers=h)
    owned = await client.patch(
        f"/v1/documents/{doc['id']}",
        json={"owner_id": str(world.b.approver.person_id)},
        headers={**h, "If-Match": got.headers["ETag"]},
    )
    assert owned.status_code == 200, owned.text
    dis_application = await client.post(
        f"/v1/documents/{doc['id']}/dis-applications",
        json=_DIS_APPLICATION,
        headers=world.b.reader.headers,
    )
    assert dis_application.status_code == 201, dis_application.text
    # Its owner stands in as RO (none is named) and asks to move its review date.
    extension = await client.post(
        f"/v1/documents/{doc['id']}/review-extensions",
        json=_EXTENSION,
        headers=world.b.approver.headers,
    )
    assert extension.status_code == 201, extension.text
    engagement = await client.post(
        f"/v1/documents/{doc['id']}/engagement-sessions",
        json=_ENGAGEMENT,
        headers=h,
    )
    assert engagement.status_code == 201, engagement.text
    monitoring = await client.post(
        f"/v1/documents/{doc['id']}/monitoring-actions",
        json={
            "title": "Audit the files",
            "owner_id": str(world.b.reader.person_id),
            "due_on": london_today().isoformat(),
        },
        headers=h,
    )
    assert monitoring.status_code == 201, monitoring.text
    plan_item = await client.post(
        f"/v1/documents/{doc['id']}/versions/{version['id']}/communication-plan",
        json=_PLAN_ITEM,
        headers=h,
    )
    assert plan_item.status_code == 201, plan_item.text
    asked = await client.post(
        f"/v1/documents/{doc['id']}/acknowledgement-requests",
        json={"audience": {"person_ids": [str(world.b.reader.person_id)]}},
        headers=h,
    )
    assert asked.status_code == 201, asked.text
    acknowledgements = await client.get(
        f"/v1/acknowledgement-requests/{asked.json()['id']}/acknowledgements", headers=h
    )
    kinds = (await client.get("/v1/document-kinds", headers=h)).json()
    keys = (await client.get("/v1/api-keys", headers=h)).json()
    # A public address: the session app allows no internal receivers.
    hook = (
        await client.post("/v1/webhooks", json={"url": "https://93.184.215.14/hook"}, headers=h)
    ).json()
    ping = (await client.post(f"/v1/webhooks/{hook['id']}/ping", headers=h)).json()
    board = (
        await client.post(
            "/v1/boards",
            json={
                "name": "Senior Leadership Team",
                "members": [{"person_id": str(world.b.approver.person_id), "role": "chair"}],
            },
            headers=h,
        )
    ).json()
    meeting = (
        await client.post(
            "/v1/meetings",
            json={"board_id": board["id"], "starts_at": "2026-01-13T10:00:00Z"},
            headers=h,
        )
    ).json()
    item = (
        await client.post(
            "/v1/agenda-items",
            json={
                "board_id": board["id"],
                "title": "Item",
                "ask": "information",
                "meeting_id": (
                    await client.post(
                        "/v1/meetings",
                        json={"board_id": board["id"], "starts_at": "2099-01-13T10:00:00Z"},
                        headers=h,
                    )
                ).json()["id"],
            },
            headers=h,
        )
    ).json()
    action = (
        await client.post(
            f"/v1/meetings/{meeting['id']}/actions",
            json={
                "description": "Do it",
                "owner_id": str(world.b.reader.person_id),
                "due_on": "2026-02-01",
            },
            headers=h,
        )
    ).json()
    tabled = await client.post(
        f"/v1/documents/{doc['id']}/implementation-report/tabling",
        json={"board_id": board["id"], "meeting_id": item["meeting_id"]},
        headers=h,
    )
    assert tabled.status_code == 201, tabled.text
    publication_id = await _b_publication(world, doc["id"], version["id"])
    assessments = await _b_assessments(client, world, h, doc["id"], version["id"])
    sign_off = await _b_sign_off(client, world, h, doc["id"])
    consultation = await _b_consultation(client, world, h, doc["id"])
    review = await _b_review(client, h)
    cascade_flag_id = await cascade_flag_of_b(client, world)
    update_cycle = await _b_update_cycle(client, h)
    tracker_import = await client.post(
        "/v1/imports",
        params={"background": "true"},
        files={"file": ("tracker.csv", b"Reference,Title,Kind\r\nB-1,Mine,Policy\r\n")},
        headers=h,
    )
    statutory = await _b_statutory_source(client, h)
    return {
        "cascade_flag_id": cascade_flag_id,
        **statutory,
        "dis_application_id": dis_application.json()["id"],
        "review_extension_id": extension.json()["id"],
        "engagement_session_id": engagement.json()["id"],
        "monitoring_action_id": monitoring.json()["id"],
        "implementation_report_id": tabled.json()["id"],
        "plan_item_id": plan_item.json()["id"],
        "acknowledgement_request_id": asked.json()["id"],
        "acknowledgement_id": acknowledgements.json()["items"][0]["id"],
        "organisation_id": str(world.b.id),
        **review,
        **update_cycle,
        **assessments,
        **sign_off,
        **consultation,
        "publication_id": publication_id,
        "board_id": board["id"],
        "member_id": board["members"][0]["id"],
        "meeting_id": meeting["id"],
        "item_id": item["id"],
        "action_id": action["id"],
        "document_id": doc["id"],
        "version": version["id"],
        "other": version["id"],
        "link_id": link["id"],
        "kind_id": kinds[0]["id"],
        "person_id": str(world.b.reader.person_id),
        "key_id": keys[0]["id"],
        "subscription_id": hook["id"],
        "delivery_id": ping["id"],
        "import_id": tracker_import.json()["id"],
    }


async def _b_statutory_source(client: AsyncClient, h: dict[str, str]) -> dict[str, str]:
    """B's statutory source, a draft linked to it (so no review opens) and a change."""
    draft = (await client.post("/v1/documents", json=document_body(), headers=h)).json()
    source = await client.post(
        "/v1/statutory-sources",
        json={"title": "Children Act 1989", "kind": "act", "url": "https://example.org/ca"},
        headers=h,
    )
    assert source.status_code == 201, source.text
    s = source.json()["id"]
    linked = await client.post(
        f"/v1/statutory-sources/{s}/documents", json={"document_id": draft["id"]}, headers=h
    )
    assert linked.status_code == 201, linked.text
    change = await client.post(
        f"/v1/statutory-sources/{s}/changes", json={"summary": "Amended."}, headers=h
    )
    assert change.status_code == 201, change.text
    return {
        "statutory_source_id": s,
        "statutory_document_id": draft["id"],
        "statutory_change_id": change.json()["change"]["id"],
    }


def _statutory_requests(ids: dict[str, str], match: dict[str, str]) -> list[tuple[str, str, dict]]:
    s, c = ids["statutory_source_id"], ids["statutory_change_id"]
    base = f"/v1/statutory-sources/{s}"
    return [
        ("GET", base, {}),
        ("PATCH", base, {"json": {"title": "taken"}, "headers": match}),
        ("DELETE", base, {}),
        ("GET", f"{base}/documents", {}),
        ("POST", f"{base}/documents", {"json": {"document_id": ids["document_id"]}}),
        ("DELETE", f"{base}/documents/{ids['statutory_document_id']}", {}),
        ("GET", f"{base}/changes", {}),
        ("POST", f"{base}/changes", {"json": {"summary": "taken"}}),
        ("POST", f"{base}/feed-check", {}),
        ("GET", f"/v1/statutory-source-changes/{c}/impact", {}),
        ("GET", f"/v1/statutory-source-changes/{c}/impact.csv", {}),
    ]


_MONITORING_ACTION = {"title": "Audit the files", "due_on": london_today().isoformat()}
_DIS_APPLICATION = {
    "section": "4.2 Home visits",
    "applies_to": "South West team",
    "reasons": "Staff off sick.",
    "risks": "Visits are late.",
    "mitigation": "Phone contact.",
    "starts_on": london_today().isoformat(),
    "ends_on": london_today().isoformat(),
}
_EXTENSION = {
    "requested_due": (london_today() + timedelta(days=400)).isoformat(),
    "reasons": "The service is being restructured.",
}
_PLAN_ITEM = {
    "audience": "Team and Service Managers",
    "channel": "team_meetings",
    "planned_on": london_today().isoformat(),
}
_ENGAGEMENT = {
    "kind": "workshop",
    "title": "Co-production workshop",
    "held_on": london_today().isoformat(),
}
_DECISION = {
    "outcome": "approved",
    "note": "Taken.",
    "circumstances_exceptional": True,
    "variation_justified": True,
}


async def _b_publication(world: World, document_id: str, version_id: str) -> str:
    """Queued through the domain, as the sign-off engine queues an issued version."""
    async with world.sessionmaker() as session, session.begin():
        document = await session.get(Document, uuid.UUID(document_id))
        version = await session.get(DocumentVersion, uuid.UUID(version_id))
        assert document is not None
        queued = await queue_publication(
            session, None, document=document, version=version, action="upload", reason="issued"
        )
        return str(queued.id)


async def _b_assessments(
    client: AsyncClient, world: World, h: dict[str, str], document_id: str, version_id: str
) -> dict[str, str]:
    on = {"document_id": document_id, "version_id": version_id}
    proposal = await client.post("/v1/proposals", json={"title": "B's"}, headers=h)
    eia = await client.post("/v1/equality-assessments", json={**on, "kind": "screening"}, headers=h)
    review = await client.post("/v1/legal-reviews", json={**on, "question": "Lawful?"}, headers=h)
    answers = {k: {"answer": "yes"} for k, _ in FITNESS_QUESTIONS}
    check = await client.post("/v1/fitness-checks", json={**on, "answers": answers}, headers=h)
    statement = await _b_statement(client, world, h, answers)
    asked = await client.post(
        "/v1/policy-requests",
        json={"kind": "new_document", "title": "B's request", "details": "Needed."},
        headers=world.b.reader.headers,
    )
    assert asked.status_code == 201, asked.text
    return {
        "policy_request_id": asked.json()["id"],
        "proposal_id": proposal.json()["id"],
        "eia_id": eia.json()["id"],
        "legal_review_id": review.json()["id"],
        "fitness_check_id": check.json()["id"],
        "statement_id": statement,
    }


async def _b_statement(
    client: AsyncClient, world: World, h: dict[str, str], answers: dict[str, Any]
) -> str:
    """B's RO carries a fitness check of 0.1 to 0.2: nothing material changed."""
    body = document_body(responsible_officer_id=str(world.b.author.person_id))
    doc = (await client.post("/v1/documents", json=body, headers=h)).json()
    drafts = []
    for text in (b"# B 0.1", b"# B 0.2"):
        uploaded = await client.post(
            f"/v1/documents/{doc['id']}/versions",
            files={"file": ("b.md", text, "text/markdown")},
            headers=h,
        )
        drafts.append(uploaded.json()["id"])
        if len(drafts) == 1:
            check = await client.post(
                "/v1/fitness-checks",
                json={"document_id": doc["id"], "version_id": drafts[0], "answers": answers},
                headers=h,
            )
    statement = await client.post(
        "/v1/no-material-change-statements",
        json={
            "assessment_kind": "fitness_check",
            "assessment_id": check.json()["id"],
            "version_id": drafts[1],
            "reason": "Only the contact details changed.",
        },
        headers=world.b.author.headers,
    )
    assert statement.status_code == 201, statement.text
    return str(statement.json()["id"])


async def _b_sign_off(
    client: AsyncClient, world: World, h: dict[str, str], document_id: str
) -> dict[str, str]:
    approver = str(world.b.approver.person_id)
    stages = [{"key": "a", "name": "A", "decider": {"kind": "people", "people": [approver]}}]
    route = await client.post(
        "/v1/routes", json={"key": "b", "name": "B", "definition": {"stages": stages}}, headers=h
    )
    post = await client.post(
        "/v1/posts", json={"post": "director", "person_id": approver}, headers=h
    )
    draft = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.md", b"B draft", "text/markdown")},
        headers=h,
    )
    sign_off = await client.post(
        "/v1/sign-offs",
        json={"document_id": document_id, "version_id": draft.json()["id"]},
        headers=h,
    )
    assert sign_off.status_code == 201, sign_off.text
    delegation = await client.post(
        "/v1/delegations",
        json={
            "delegate_id": str(world.b.admin.person_id),
            "delegator_id": approver,
            "starts_on": london_today().isoformat(),
            "ends_on": (london_today() + timedelta(days=30)).isoformat(),
        },
        headers=h,
    )
    assert delegation.status_code == 201, delegation.text
    return {
        "route_id": route.json()["id"],
        "post_id": post.json()["id"],
        "sign_off_id": sign_off.json()["id"],
        "sign_off_version": draft.json()["id"],
        "delegation_id": delegation.json()["id"],
    }


async def _b_consultation(
    client: AsyncClient, world: World, h: dict[str, str], document_id: str
) -> dict[str, str]:
    draft = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("consulted.md", b"B consulted draft", "text/markdown")},
        headers=h,
    )
    consultation = await client.post(
        "/v1/consultations",
        json={
            "document_id": document_id,
            "version_id": draft.json()["id"],
            "kind": "internal",
            "audience": {
                "people": [str(world.b.reader.person_id)],
                "external": [{"name": "B partner", "email": "partner@b.example"}],
            },
        },
        headers=h,
    )
    assert consultation.status_code == 201, consultation.text
    c = consultation.json()["id"]
    found = await client.get(f"/v1/consultations/{c}/consultees", headers=h)
    external = next(x for x in found.json() if x["kind"] == "external")
    response = await client.put(
        f"/v1/consultations/{c}/response",
        json={"position": "support"},
        headers=world.b.reader.headers,
    )
    assert response.status_code == 201, response.text
    return {
        "consultation_id": c,
        "consultee_id": external["id"],
        "response_id": response.json()["id"],
        # B's consultee's id with a signature that is not the service's.
        "link_token": f"{uuid.UUID(external['id']).hex}.forged",
    }


async def _b_review(client: AsyncClient, h: dict[str, str]) -> dict[str, str]:
    doc = (await client.post("/v1/documents", json=document_body(), headers=h)).json()
    await client.post(
        f"/v1/documents/{doc['id']}/versions",
        files={"file": ("a.md", b"# Issued", "text/markdown")},
        data={"issued": "true"},
        headers=h,
    )
    review = await client.post(
        "/v1/reviews", json={"document_id": doc["id"], "kind": "scheduled"}, headers=h
    )
    assert review.status_code == 201, review.text
    return {"review_id": review.json()["id"], "review_document_id": doc["id"]}


def _review_requests(ids: dict[str, str], match: dict[str, str]) -> list[tuple[str, str, dict]]:
    r = ids["review_id"]
    return [
        ("GET", f"/v1/reviews/{r}", {}),
        ("POST", f"/v1/reviews/{r}/no-change", {"json": {"statement": "x"}, "headers": match}),
        ("POST", f"/v1/reviews/{r}/confirm", {"headers": match}),
        ("POST", f"/v1/reviews/{r}/refuse-no-change", {"json": {"reasons": "x"}, "headers": match}),
        (
            "POST",
            f"/v1/reviews/{r}/amended",
            {"json": {"version_id": ids["version"]}, "headers": match},
        ),
        ("POST", f"/v1/reviews/{r}/cancel", {"json": {"reason": "taken"}, "headers": match}),
        ("GET", f"/v1/reviews/{r}/impact", {}),
        ("GET", f"/v1/reviews/{r}/documents", {}),
        (
            "POST",
            f"/v1/reviews/{r}/documents",
            {"json": {"documents": [{"document_id": ids["document_id"], "reason": "x"}]}},
        ),
    ]


async def _b_update_cycle(client: AsyncClient, h: dict[str, str]) -> dict[str, str]:
    cycle = await client.post(
        "/v1/update-cycles",
        json={"name": "B cycle", "items": [{"chapter": "B-1", "recommendation": "x"}]},
        headers=h,
    )
    assert cycle.status_code == 201, cycle.text
    return {"update_cycle_id": cycle.json()["id"], "update_item_id": cycle.json()["items"][0]["id"]}


def _update_cycle_requests(
    ids: dict[str, str], match: dict[str, str]
) -> list[tuple[str, str, dict]]:
    c, i = ids["update_cycle_id"], ids["update_item_id"]
    return [
        ("GET", f"/v1/update-cycles/{c}", {}),
        ("PATCH", f"/v1/update-cycles/{c}", {"json": {"name": "taken"}, "headers": match}),
        ("GET", f"/v1/update-cycles/{c}/items", {}),
        ("POST", f"/v1/update-cycles/{c}/close", {}),
        ("GET", f"/v1/update-cycles/{c}/report", {}),
        ("GET", f"/v1/update-cycles/{c}/amendment-pack", {}),
        ("GET", f"/v1/update-cycle-items/{i}", {}),
        (
            "PATCH",
            f"/v1/update-cycle-items/{i}",
            {"json": {"status": "accepted"}, "headers": match},
        ),
    ]


def _acknowledgement_requests(ids: dict[str, str]) -> list[tuple[str, str, dict]]:
    d, q, a = ids["document_id"], ids["acknowledgement_request_id"], ids["acknowledgement_id"]
    # A link token whose person is another organisation's, forged: nothing opens.
    t = f"{uuid.UUID(a).hex}.forged"
    return [
        ("PUT", f"/v1/documents/{d}/acknowledgement-audience", {"json": {}}),
        ("GET", f"/v1/acknowledgement-requests/{q}", {}),
        ("POST", f"/v1/acknowledgement-requests/{q}/cancel", {"json": {"reason": "taken"}}),
        ("GET", f"/v1/acknowledgement-requests/{q}/acknowledgements", {}),
        ("POST", f"/v1/acknowledgements/{a}/confirm", {}),
        ("GET", f"/v1/acknowledgement-compliance/export.csv?request_id={q}", {}),
        ("GET", f"/v1/acknowledgement-links/{t}", {}),
        ("GET", f"/v1/acknowledgement-links/{t}/document", {}),
        ("POST", f"/v1/acknowledgement-links/{t}/confirm", {}),
    ]


def _consultation_requests(
    ids: dict[str, str], match: dict[str, str]
) -> list[tuple[str, str, dict]]:
    c, x, r, t = ids["consultation_id"], ids["consultee_id"], ids["response_id"], ids["link_token"]
    answer = {"json": {"position": "support"}}
    return [
        ("GET", f"/v1/consultations/{c}", {}),
        ("PATCH", f"/v1/consultations/{c}", {"json": {"title": "taken"}, "headers": match}),
        ("POST", f"/v1/consultations/{c}/close", {}),
        ("POST", f"/v1/consultations/{c}/cancel", {"json": {"reason": "taken"}}),
        ("GET", f"/v1/consultations/{c}/consultees", {}),
        ("POST", f"/v1/consultations/{c}/consultees", {"json": {"people": []}}),
        ("POST", f"/v1/consultations/{c}/consultees/{x}/revoke-link", {}),
        ("POST", f"/v1/consultations/{c}/consultees/{x}/send-link", {}),
        ("GET", f"/v1/consultations/{c}/draft", {}),
        ("GET", f"/v1/consultations/{c}/responses", {}),
        (
            "POST",
            f"/v1/consultations/{c}/responses",
            {"json": {"consultee_id": x, **answer["json"]}},
        ),
        ("GET", f"/v1/consultations/{c}/response", {}),
        ("PUT", f"/v1/consultations/{c}/response", answer),
        ("GET", f"/v1/consultations/{c}/responses/{r}", {}),
        (
            "PATCH",
            f"/v1/consultations/{c}/responses/{r}",
            {"json": {"themes": ["taken"]}, "headers": match},
        ),
        ("GET", f"/v1/consultations/{c}/report", {}),
        ("GET", f"/v1/consultations/{c}/report.csv", {}),
        ("GET", f"/v1/consultations/{c}/report.html", {}),
        ("GET", f"/v1/consultations/{c}/report/agreement", {}),
        (
            "POST",
            f"/v1/consultations/{c}/report/agreement",
            {"json": {"board_id": ids["board_id"]}},
        ),
        ("GET", f"/v1/consultation-links/{t}", {}),
        ("GET", f"/v1/consultation-links/{t}/draft", {}),
        ("PUT", f"/v1/consultation-links/{t}/response", answer),
    ]


def _sign_off_requests(ids: dict[str, str], match: dict[str, str]) -> list[tuple[str, str, dict]]:
    r, p, s, d = ids["route_id"], ids["post_id"], ids["sign_off_id"], ids["delegation_id"]
    decision = {"version_id": ids["sign_off_version"], "outcome": "approved"}
    return [
        ("GET", f"/v1/routes/{r}", {}),
        ("PATCH", f"/v1/routes/{r}", {"json": {"name": "taken"}, "headers": match}),
        ("GET", f"/v1/routes/{r}/versions", {}),
        ("GET", f"/v1/posts/{p}", {}),
        ("PATCH", f"/v1/posts/{p}", {"json": {"person_id": ids["person_id"]}, "headers": match}),
        ("DELETE", f"/v1/posts/{p}", {}),
        ("GET", f"/v1/sign-offs/{s}", {}),
        ("POST", f"/v1/sign-offs/{s}/decisions", {"json": decision}),
        ("POST", f"/v1/sign-offs/{s}/acknowledgements", {"json": {}}),
        ("POST", f"/v1/sign-offs/{s}/amendments", {"json": {"version_id": ids["version"]}}),
        ("POST", f"/v1/sign-offs/{s}/answers", {"json": {"answers": {}}}),
        ("POST", f"/v1/sign-offs/{s}/withdraw", {"json": {}}),
        ("GET", f"/v1/delegations/{d}", {}),
        ("POST", f"/v1/delegations/{d}/revoke", {}),
    ]


def _assessment_requests(ids: dict[str, str], match: dict[str, str]) -> list[tuple[str, str, dict]]:
    p, e, r = ids["proposal_id"], ids["eia_id"], ids["legal_review_id"]
    q = ids["policy_request_id"]
    return [
        ("GET", f"/v1/proposals/{p}", {}),
        ("PATCH", f"/v1/proposals/{p}", {"json": {"title": "taken"}, "headers": match}),
        (
            "POST",
            f"/v1/proposals/{p}/submit",
            {"json": {"board_id": ids["board_id"]}, "headers": match},
        ),
        ("POST", f"/v1/proposals/{p}/withdraw", {"headers": match}),
        ("GET", f"/v1/policy-requests/{q}", {}),
        (
            "POST",
            f"/v1/policy-requests/{q}/accept",
            {"json": {"into": "proposal"}, "headers": match},
        ),
        (
            "POST",
            f"/v1/policy-requests/{q}/decline",
            {"json": {"reasons": "No."}, "headers": match},
        ),
        ("POST", f"/v1/policy-requests/{q}/withdraw", {"headers": match}),
        ("GET", f"/v1/equality-assessments/{e}", {}),
        (
            "PATCH",
            f"/v1/equality-assessments/{e}",
            {"json": {"summary": "taken"}, "headers": match},
        ),
        (
            "POST",
            f"/v1/equality-assessments/{e}/complete",
            {"json": {"outcome": "no_adverse_impact"}, "headers": match},
        ),
        ("GET", f"/v1/legal-reviews/{r}", {}),
        (
            "POST",
            f"/v1/legal-reviews/{r}/answer",
            {"json": {"advice": "taken", "outcome": "no_concerns"}},
        ),
        ("GET", f"/v1/fitness-checks/{ids['fitness_check_id']}", {}),
        ("GET", f"/v1/no-material-change-statements/{ids['statement_id']}", {}),
    ]


def _tracker_requests(ids: dict[str, str]) -> list[tuple[str, str, dict]]:
    person = ids["person_id"]
    return [
        ("GET", f"/v1/people/{person}/calendar-feed", {}),
        ("POST", f"/v1/people/{person}/calendar-feed/rotate", {}),
        ("GET", f"/v1/calendar-feeds/people/{person}.ics?token=guess", {}),
        ("GET", f"/v1/imports/{ids['import_id']}", {}),
    ]


def _requests(ids: dict[str, str]) -> list[tuple[str, str, dict]]:
    d, v, w = ids["document_id"], ids["version"], ids["subscription_id"]
    m = ids["monitoring_action_id"]
    match = {"If-Match": '"r1"'}
    return [
        *_statutory_requests(ids, match),
        ("GET", f"/v1/documents/{d}", {}),
        ("PATCH", f"/v1/documents/{d}", {"json": {"title": "taken"}, "headers": match}),
        ("GET", f"/v1/documents/{d}/versions", {}),
        (
            "POST",
            f"/v1/documents/{d}/versions",
            {"files": {"file": ("x.md", b"x", "text/markdown")}},
        ),
        ("GET", f"/v1/documents/{d}/versions/{v}", {}),
        ("GET", f"/v1/documents/{d}/versions/1.0", {}),
        ("GET", f"/v1/documents/{d}/versions/{v}/file", {}),
        ("GET", f"/v1/documents/{d}/versions/{v}/diff/{v}", {}),
        ("GET", f"/v1/documents/{d}/links", {}),
        ("GET", f"/v1/documents/{d}/timeline", {}),
        ("GET", f"/v1/documents/{d}/engagement-sessions", {}),
        ("POST", f"/v1/documents/{d}/engagement-sessions", {"json": _ENGAGEMENT}),
        ("GET", f"/v1/engagement-sessions/{ids['engagement_session_id']}", {}),
        (
            "PATCH",
            f"/v1/engagement-sessions/{ids['engagement_session_id']}",
            {"json": {"status": "cancelled"}, "headers": match},
        ),
        ("GET", f"/v1/documents/{d}/monitoring-actions", {}),
        (
            "POST",
            f"/v1/documents/{d}/monitoring-actions",
            {"json": {**_MONITORING_ACTION, "owner_id": ids["person_id"]}},
        ),
        ("GET", f"/v1/monitoring-actions/{m}", {}),
        ("PATCH", f"/v1/monitoring-actions/{m}", {"json": {"title": "taken"}, "headers": match}),
        ("POST", f"/v1/monitoring-actions/{m}/evidence", {"json": {"note": "taken"}}),
        ("POST", f"/v1/monitoring-actions/{m}/completion", {"json": {"outcome": "taken"}}),
        ("POST", f"/v1/monitoring-actions/{m}/cancellation", {"json": {"reason": "taken"}}),
        ("GET", f"/v1/documents/{d}/implementation-report", {}),
        ("GET", f"/v1/documents/{d}/implementation-report.csv", {}),
        ("GET", f"/v1/documents/{d}/implementation-report.html", {}),
        (
            "POST",
            f"/v1/documents/{d}/implementation-report/tabling",
            {"json": {"board_id": ids["board_id"]}},
        ),
        ("GET", f"/v1/implementation-reports/{ids['implementation_report_id']}", {}),
        ("GET", f"/v1/implementation-reports/{ids['implementation_report_id']}.html", {}),
        ("GET", f"/v1/documents/{d}/versions/{v}/communication-plan", {}),
        ("POST", f"/v1/documents/{d}/versions/{v}/communication-plan", {"json": _PLAN_ITEM}),
        ("GET", f"/v1/communication-plan-items/{ids['plan_item_id']}", {}),
        *_acknowledgement_requests(ids),
        (
            "PATCH",
            f"/v1/communication-plan-items/{ids['plan_item_id']}",
            {"json": {"audience": "taken"}, "headers": match},
        ),
        ("DELETE", f"/v1/communication-plan-items/{ids['plan_item_id']}", {"headers": match}),
        ("POST", f"/v1/communication-plan-items/{ids['plan_item_id']}/sent", {"json": {}}),
        ("GET", f"/v1/people/{ids['person_id']}/digest-subscription", {}),
        ("PUT", f"/v1/people/{ids['person_id']}/digest-subscription", {"json": {}}),
        ("DELETE", f"/v1/people/{ids['person_id']}/digest-subscription", {}),
        ("GET", f"/v1/news-feeds/{ids['organisation_id']}.atom?token=guess", {}),
        ("POST", f"/v1/documents/{d}/review-extensions", {"json": _EXTENSION}),
        ("GET", f"/v1/review-extensions/{ids['review_extension_id']}", {}),
        (
            "POST",
            f"/v1/review-extensions/{ids['review_extension_id']}/agree",
            {"json": {"note": "Taken."}, "headers": match},
        ),
        (
            "POST",
            f"/v1/review-extensions/{ids['review_extension_id']}/refuse",
            {"json": {"note": "Taken."}, "headers": match},
        ),
        (
            "POST",
            f"/v1/review-extensions/{ids['review_extension_id']}/withdraw",
            {"json": {"reason": "Taken."}, "headers": match},
        ),
        ("GET", f"/v1/documents/{d}/dis-applications", {}),
        ("POST", f"/v1/documents/{d}/dis-applications", {"json": _DIS_APPLICATION}),
        ("GET", f"/v1/dis-applications/{ids['dis_application_id']}", {}),
        (
            "POST",
            f"/v1/dis-applications/{ids['dis_application_id']}/decision",
            {"json": _DECISION},
        ),
        (
            "POST",
            f"/v1/dis-applications/{ids['dis_application_id']}/withdrawal",
            {"json": {"reason": "Taken."}},
        ),
        (
            "POST",
            f"/v1/dis-applications/{ids['dis_application_id']}/revocation",
            {"json": {"reason": "Taken."}},
        ),
        (
            "POST",
            f"/v1/documents/{d}/links",
            {"json": {"target_id": d, "kind": "relates_to"}},
        ),
        ("DELETE", f"/v1/documents/{d}/links/{ids['link_id']}", {"headers": match}),
        ("GET", f"/v1/document-kinds/{ids['kind_id']}", {}),
        ("GET", f"/v1/document-kinds/{ids['kind_id']}/template", {}),
        ("GET", f"/v1/document-kinds/{ids['kind_id']}/template/file", {}),
        (
            "PUT",
            f"/v1/document-kinds/{ids['kind_id']}/template",
            {"files": {"file": ("t.md", b"# Taken", "text/markdown")}},
        ),
        ("DELETE", f"/v1/document-kinds/{ids['kind_id']}/template", {}),
        (
            "PATCH",
            f"/v1/document-kinds/{ids['kind_id']}",
            {"json": {"label": "taken"}, "headers": match},
        ),
        ("GET", f"/v1/people/{ids['person_id']}", {}),
        ("PATCH", f"/v1/people/{ids['person_id']}", {"json": {"name": "x"}, "headers": match}),
        ("GET", f"/v1/people/{ids['person_id']}/holdings", {}),
        (
            "POST",
            f"/v1/people/{ids['person_id']}/reassignments",
            {
                "json": {
                    "to_person_id": str(uuid.uuid4()),
                    "items": [{"kind": "document", "role": "owner"}],
                }
            },
        ),
        ("GET", f"/v1/api-keys/{ids['key_id']}", {}),
        ("DELETE", f"/v1/api-keys/{ids['key_id']}", {"headers": match}),
        ("GET", f"/v1/webhooks/{w}", {}),
        ("PATCH", f"/v1/webhooks/{w}", {"json": {"description": "taken"}, "headers": match}),
        ("DELETE", f"/v1/webhooks/{w}", {"headers": match}),
        ("POST", f"/v1/webhooks/{w}/rotate-secret", {}),
        ("POST", f"/v1/webhooks/{w}/ping", {}),
        ("GET", f"/v1/webhooks/{w}/deliveries", {}),
        ("GET", f"/v1/webhooks/{w}/deliveries/{ids['delivery_id']}", {}),
        ("POST", f"/v1/webhooks/{w}/deliveries/{ids['delivery_id']}/replay", {}),
        *_board_requests(ids, match),
        *_assessment_requests(ids, match),
        *_sign_off_requests(ids, match),
        *_consultation_requests(ids, match),
        *_review_requests(ids, match),
        ("GET", f"/v1/cascade-flags/{ids['cascade_flag_id']}", {}),
        ("POST", f"/v1/cascade-flags/{ids['cascade_flag_id']}/dismiss", {"json": {"reason": "x"}}),
        ("POST", f"/v1/cascade-flags/{ids['cascade_flag_id']}/review", {}),
        *_update_cycle_requests(ids, match),
        *_tracker_requests(ids),
        ("GET", f"/v1/publications/{ids['publication_id']}", {}),
        (
            "POST",
            f"/v1/publications/{ids['publication_id']}/uploaded",
            {"json": {"trix_url": "https://trix.example.org/x"}},
        ),
        ("POST", f"/v1/publications/{ids['publication_id']}/removed", {"json": {}}),
    ]


def _board_requests(ids: dict[str, str], match: dict[str, str]) -> list[tuple[str, str, dict]]:
    b, m, i = ids["board_id"], ids["meeting_id"], ids["item_id"]
    member, action = ids["member_id"], ids["action_id"]
    person = {"person_id": ids["person_id"]}
    return [
        ("GET", f"/v1/boards/{b}", {}),
        ("PATCH", f"/v1/boards/{b}", {"json": {"name": "taken"}, "headers": match}),
        ("DELETE", f"/v1/boards/{b}", {"headers": match}),
        ("GET", f"/v1/boards/{b}/members", {}),
        ("POST", f"/v1/boards/{b}/members", {"json": person}),
        ("GET", f"/v1/boards/{b}/members/{member}", {}),
        ("PUT", f"/v1/boards/{b}/members/{member}", {"json": {}, "headers": match}),
        ("DELETE", f"/v1/boards/{b}/members/{member}", {"headers": match}),
        ("POST", f"/v1/boards/{b}/meetings/generate", {}),
        ("GET", f"/v1/boards/{b}/forward-plan", {}),
        ("GET", f"/v1/boards/{b}/annual-report", {}),
        ("GET", f"/v1/boards/{b}/calendar-feed", {}),
        ("POST", f"/v1/boards/{b}/calendar-feed/rotate", {}),
        ("GET", f"/v1/calendar-feeds/boards/{b}.ics?token=guess", {}),
        ("GET", f"/v1/meetings/{m}", {}),
        ("PATCH", f"/v1/meetings/{m}", {"json": {"notes": "taken"}, "headers": match}),
        ("POST", f"/v1/meetings/{m}/cancel", {"json": {"reason": "x"}, "headers": match}),
        ("GET", f"/v1/meetings/{m}/agenda", {}),
        ("GET", f"/v1/meetings/{m}/papers", {}),
        ("POST", f"/v1/meetings/{m}/papers/circulate", {}),
        ("GET", f"/v1/meetings/{m}/attendance", {}),
        ("PUT", f"/v1/meetings/{m}/attendance", {"json": {"attendance": []}}),
        ("GET", f"/v1/meetings/{m}/minutes", {}),
        (
            "POST",
            f"/v1/meetings/{m}/decisions",
            {"json": {"agenda_item_id": i, "outcome": "approved"}},
        ),
        (
            "POST",
            f"/v1/meetings/{m}/actions",
            {"json": {"description": "x", "owner_id": ids["person_id"], "due_on": "2027-01-01"}},
        ),
        (
            "PATCH",
            f"/v1/meetings/{m}/actions/{action}",
            {"json": {"status": "done"}, "headers": match},
        ),
        ("POST", f"/v1/meetings/{m}/minutes/issue", {"headers": match}),
        ("GET", f"/v1/meetings/{m}/report", {}),
        ("GET", f"/v1/agenda-items/{i}", {}),
        ("PATCH", f"/v1/agenda-items/{i}", {"json": {"title": "taken"}, "headers": match}),
        ("POST", f"/v1/agenda-items/{i}/accept-late", {"headers": match}),
        ("POST", f"/v1/agenda-items/{i}/withdraw", {"headers": match}),
        ("GET", f"/v1/agenda-items/{i}/paper", {}),
    ]


async def test_every_id_of_another_organisation_answers_404(
    client: AsyncClient, world: World, app: object
) -> None:
    ids = await _b_resources(client, world)
    requests = _requests(ids)
    covered = set()
    for method, url, kwargs in requests:
        headers = {**world.a.admin.headers, **kwargs.pop("headers", {})}
        response = await client.request(method, url, headers=headers, **kwargs)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        # An id that does not exist at all gets exactly the same answer.
        missing_url = url
        for value in ids.values():
            missing_url = missing_url.replace(value, str(uuid.uuid4()))
        if missing_url != url:
            missing = await client.request(method, missing_url, headers=headers, **kwargs)
            assert missing.status_code == 404
            assert missing.json()["detail"] == response.json()["detail"]
        covered.add((method, url))

    # Every route that takes an id; outside /v1 a path parameter names no organisation's
    # record (the problem types at /problems/{name} are the same for everyone).
    templates = {
        (operation.method, operation.path)
        for operation in operations(app)  # type: ignore[arg-type]
        if "{" in operation.path
        and operation.method not in ("HEAD", "OPTIONS")
        and operation.path.startswith("/v1/")
    }
    assert len(templates) > 100  # the app's routes were found: the check below means something
    hit = set()
    for method, path in templates:
        prefix = path.split("{")[0]
        if any(
            m == method and u.startswith(prefix) and u.count("/") == path.count("/")
            for m, u in covered
        ):
            hit.add((method, path))
    assert templates == hit, f"routes without an isolation check: {sorted(templates - hit)}"

    # And nothing of organisation B was changed.
    own = await client.get(f"/v1/documents/{ids['document_id']}", headers=world.b.admin.headers)
    assert own.json()["title"] != "taken"
    links = await client.get(
        f"/v1/documents/{ids['document_id']}/links", headers=world.b.admin.headers
    )
    assert len(links.json()) == 1
    hook = await client.get(f"/v1/webhooks/{ids['subscription_id']}", headers=world.b.admin.headers)
    assert hook.json()["description"] != "taken"
    assert hook.headers["ETag"] == '"r1"'
    deliveries = await client.get(
        f"/v1/webhooks/{ids['subscription_id']}/deliveries", headers=world.b.admin.headers
    )
    assert [d["id"] for d in deliveries.json()["items"]] == [ids["delivery_id"]]
    publication = await client.get(
        f"/v1/publications/{ids['publication_id']}", headers=world.b.admin.headers
    )
    assert publication.json()["status"] == "pending"
    sign_off = await client.get(
        f"/v1/sign-offs/{ids['sign_off_id']}", headers=world.b.admin.headers
    )
    assert sign_off.json()["status"] == "in_progress"
    assert sign_off.json()["decisions"] == []
    consultation = await client.get(
        f"/v1/consultations/{ids['consultation_id']}", headers=world.b.admin.headers
    )
    assert consultation.json()["title"] != "taken"
    assert consultation.json()["status"] == "open"
    cycle = await client.get(
        f"/v1/update-cycles/{ids['update_cycle_id']}", headers=world.b.admin.headers
    )
    assert (cycle.json()["name"], cycle.json()["status"]) == ("B cycle", "open")
    review = await client.get(f"/v1/reviews/{ids['review_id']}", headers=world.b.admin.headers)
    assert (review.json()["status"], review.json()["outcome"]) == ("in_progress", None)


async def test_lists_and_search_show_only_the_callers_organisation(
    client: AsyncClient, world: World
) -> None:
    await client.post(
        "/v1/documents",
        json=document_body(reference="B-ONLY", title="Private fostering"),
        headers=world.b.admin.headers,
    )
    for url in ("/v1/documents", "/v1/documents?q=fostering", "/v1/people", "/v1/audit"):
        body = (await client.get(url, headers=world.a.admin.headers)).json()
        assert "B-ONLY" not in str(body)
        assert "beta.example.org" not in str(body)
