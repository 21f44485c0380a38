"""Cafcass Policy Development Framework (seed 002), from the business case to Trix, through the
HTTP API on the seeded organisation: steps 1 (business case to CMT), 2-3 (drafts 0.1-0.3),
4 (a three-month consultation, 4.6-4.7), legal advice on the draft consulted on (6.0), 5 (the
EIA of the near final draft, 4.8), the policy's responsible officer stating that the re-draft
changed nothing the legal advice was about, the Fit for Purpose Criteria (appendix 3), step 6
(ECMT, then the Board), 4.11 (issued as 1.0), 7 (publication) and 8.1 (annual review)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import (
    board_id,
    decided_at_meeting,
    get_json,
    hold,
    item_of,
    minute,
    open_consultation,
    register_document,
    respond,
    seed,
    stage,
    statuses,
    sweep_at_deadline,
    upload_draft,
)

CMT = "Corporate Management Team (CMT)"
ECMT = "Extended Corporate Management Team (ECMT)"
BOARD = "Cafcass Board"
TRIX_PAGE = "https://cafcass.trixonline.co.uk/chapter/dis-application-of-policies"


async def test_a_policy_goes_from_business_case_through_ecmt_and_the_board_to_trix(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cafcass = await seed(
        sessionmaker,
        "cafcass",
        {
            "ifeoma": "policy_officer",  # National Policy Manager: runs the process
            "harriet": "author",  # Corporate Strategist (Policy Author)
            "catherine": "approver",  # Corporate Director, Resources (Policy Sponsor)
            "alistair": "reader",  # Senior Legal Adviser, Cafcass Legal
            "sunita": "reader",  # Head of Profession: general staff, no drafts
            "trix": "integration",  # the Trix upload script
        },
    )
    team = cafcass.headers("ifeoma")
    author = cafcass.headers("harriet")

    # The National Policy Manager registers the new policy, sponsored by a corporate director.
    policy = await register_document(
        client,
        team,
        reference="POL-010",
        title="Dis-application of Policies",
        summary="When and how a policy may be dis-applied in exceptional circumstances (6.1).",
        kind="policy",
        service_area="Corporate",
        owner_id=cafcass.id("catherine"),
        responsible_officer_id=cafcass.id("ifeoma"),
        author_id=cafcass.id("harriet"),
    )
    document_id = policy["id"]

    # Step 1 and appendix 1: the business case, put to CMT (broad practice change).
    case = await client.post(
        "/v1/proposals",
        json={
            "title": "Dis-application of Policies",
            "document_id": document_id,
            "sponsor_id": cafcass.id("catherine"),
            "lead_officer_id": cafcass.id("ifeoma"),
            "background": "Managers dis-apply policies without a record of who agreed.",
            "objectives": "One accountable route for exceptions to any policy.",
            "childrens_rights": "Exceptions never reduce a child's safeguards.",
            "diversity": "Applies equally to every team and every family.",
            "outputs": "A policy within six months.",
            "consultation_plan": "Three-month consultation: broad practice change (4.2).",
            "communications_plan": "Intranet news, team briefings and the policy library.",
        },
        headers=author,
    )
    assert case.status_code == 201, case.text
    cmt = await board_id(client, team, CMT)
    submitted = await client.post(
        f"/v1/proposals/{case.json()['id']}/submit",
        json={"board_id": cmt},
        headers={**author, "If-Match": case.headers["ETag"]},
    )
    assert submitted.status_code == 200, submitted.text
    proposal = submitted.json()
    assert proposal["status"] == "submitted"
    item = await item_of(client, team, proposal["agenda_item_id"])
    assert (item["board_id"], item["ask"]) == (cmt, "new_proposal")
    # CMT meets and approves the business case: the minutes decide the proposal.
    await hold(client, team, item["meeting_id"])
    await minute(client, team, item["meeting_id"], item["id"], "approved")
    proposal = await get_json(client, f"/v1/proposals/{proposal['id']}", team)
    assert proposal["status"] == "approved"

    # Steps 2-3 and 4.11: drafts 0.1, 0.2, 0.3; general staff cannot see them (4.9).
    drafts = [
        await upload_draft(client, author, document_id, text, summary)
        for text, summary in (
            ("# Dis-application\nOutline.", "Outline"),
            ("# Dis-application\nThe sponsor agrees every exception.", "After workshops"),
        )
    ]
    # 6.0, Develop Draft Policy: "Legal advice must be sought throughout this stage", and on
    # the consultation to be adopted: Cafcass Legal is asked about draft 0.2.
    asked = await client.post(
        "/v1/legal-reviews",
        json={
            "document_id": document_id,
            "version_id": drafts[1]["id"],
            "question": "Can the sponsor dis-apply a statutory duty?",
            "reviewer_id": cafcass.id("alistair"),
        },
        headers=author,
    )
    assert asked.status_code == 201, asked.text
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", author)
    assert "legal_review" in {m["gate"] for m in readiness["missing_gates"]}
    answered = await client.post(
        f"/v1/legal-reviews/{asked.json()['id']}/answer",
        json={"advice": "No: only internal policy may be dis-applied.", "outcome": "no_concerns"},
        headers=cafcass.headers("alistair"),
    )
    assert answered.status_code == 200, answered.text
    # Step 4 (4.6): a broad practice change, so a full three-month consultation on draft 0.2,
    # to a Head of Profession and a partner agency, with a response form (4.7).
    consultation = await open_consultation(
        client,
        author,
        document_id=document_id,
        version_id=drafts[1]["id"],
        kind="public",
        audience={
            "people": [cafcass.id("sunita")],
            "external": [
                {
                    "name": "Dana Whitfield",
                    "email": "dana.whitfield@partner-agency.example.org",
                    "represents": "Family Court Partners Forum",
                }
            ],
        },
        questions=[
            {"key": "workable", "text": "Is the exception route workable?", "kind": "yes_no"}
        ],
    )
    assert consultation["status"] == "open"
    assert consultation["closing_rule"] == {"relative_to": "opening", "amount": 3, "unit": "months"}
    # The Head of Profession reads the draft consulted on (and no other draft, 4.9 below).
    read = await client.get(
        f"/v1/consultations/{consultation['id']}/draft", headers=cafcass.headers("sunita")
    )
    assert read.status_code == 200, read.text
    assert b"The sponsor agrees every exception." in read.content
    await respond(
        client, cafcass.headers("sunita"), consultation["id"], "support", answers={"workable": True}
    )
    # The partner agency answers by email; the author records it (4.7: keep every response).
    (partner,) = [
        c
        for c in await get_json(
            client, f"/v1/consultations/{consultation['id']}/consultees", author
        )
        if c["kind"] == "external"
    ]
    emailed = await client.post(
        f"/v1/consultations/{consultation['id']}/responses",
        json={
            "consultee_id": partner["id"],
            "position": "support_with_comments",
            "comments": "Ask for the sponsor's agreement in writing.",
            "answers": {"workable": True},
        },
        headers=author,
    )
    assert emailed.status_code == 201, emailed.text
    # Three months on, the consultation closes; the near final version is re-drafted.
    await sweep_at_deadline(sessionmaker, consultation)
    closed = await get_json(client, f"/v1/consultations/{consultation['id']}", author)
    assert closed["status"] == "closed"
    # 4.7: "Once the report has been agreed by the Policy Sponsor at CMT the report can be
    # shared at ECMT." The author compiles it; only the sponsor (or the policy team for her)
    # records that CMT agreed it, once.
    agreement = f"/v1/consultations/{consultation['id']}/report/agreement"
    assert (await client.get(agreement, headers=author)).status_code == 404
    cmt = {"board_id": await board_id(client, team, CMT), "note": "Agreed; share at ECMT."}
    by_author = await client.post(agreement, json=cmt, headers=author)
    assert by_author.status_code == 403, by_author.text
    agreed = await client.post(agreement, json=cmt, headers=cafcass.headers("catherine"))
    assert agreed.status_code == 201, agreed.text
    assert agreed.json()["agreed_by_id"] == cafcass.id("catherine")
    assert (await client.post(agreement, json=cmt, headers=team)).status_code == 409
    drafts.append(
        await upload_draft(
            client,
            author,
            document_id,
            "# Dis-application\nThe sponsor agrees every exception, in writing.",
            "Final",
        )
    )
    assert [d["number"] for d in drafts] == ["0.1", "0.2", "0.3"]
    final = drafts[-1]
    staff = await get_json(
        client, f"/v1/documents/{document_id}/versions", cafcass.headers("sunita")
    )
    assert staff == []

    # The near final draft 0.3 needs its own assessments: the legal advice was on 0.2.
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", author)
    assert readiness["route_key"] == "policy_sign_off"
    assert readiness["version_id"] == final["id"]
    missing = {m["gate"]: m["detail"] for m in readiness["missing_gates"]}
    assert list(missing) == [
        "eia_screened",
        "legal_review",
        "fit_for_purpose",
        "communication_plan_ready",
    ]
    assert missing["legal_review"] == (
        "The legal review of version 0.2 does not cover version 0.3: ask the legal team about "
        "0.3, or the responsible officer states that nothing material changed since 0.2."
    )
    assert readiness["is_ready"] is False

    # Step 5, 4.8 and appendix 2: "Following the consultation the near final version is
    # re-drafted and it is at this point that the policy should be subject to an initial
    # assessment": the screening of 0.3 finds no adverse impact.
    eia_questions = await get_json(client, "/v1/equality-assessments/questions", author)
    screening = await client.post(
        "/v1/equality-assessments",
        json={
            "document_id": document_id,
            "version_id": final["id"],
            "kind": "screening",
            "relevance": dict.fromkeys(eia_questions["categories"], "low"),
        },
        headers=author,
    )
    assert screening.status_code == 201, screening.text
    completed = await client.post(
        f"/v1/equality-assessments/{screening.json()['id']}/complete",
        json={"outcome": "no_adverse_impact"},
        headers={**author, "If-Match": screening.headers["ETag"]},
    )
    assert completed.status_code == 200, completed.text

    # The re-draft changes nothing Cafcass Legal advised on: the policy's responsible officer,
    # the National Policy Manager, says so rather than asking Legal again. The author may not.
    statement = {
        "assessment_kind": "legal_review",
        "assessment_id": asked.json()["id"],
        "version_id": final["id"],
        "reason": "0.3 only asks for the sponsor's agreement in writing, as consultees asked; "
        "which policies may be dis-applied, the question Legal answered, is unchanged.",
    }
    refused = await client.post("/v1/no-material-change-statements", json=statement, headers=author)
    assert refused.status_code == 403, refused.text
    stated = await client.post("/v1/no-material-change-statements", json=statement, headers=team)
    assert stated.status_code == 201, stated.text

    # Appendix 3: the Fit for Purpose Criteria answered for the final draft.
    fitness_questions = await get_json(client, "/v1/fitness-checks/questions", author)
    checked = await client.post(
        "/v1/fitness-checks",
        json={
            "document_id": document_id,
            "version_id": final["id"],
            "answers": {q["key"]: {"answer": "yes"} for q in fitness_questions["questions"]},
        },
        headers=author,
    )
    assert checked.status_code == 201, checked.text

    # Appendix 1: "The final draft version is submitted to ECMT with a full communications
    # plan": the Policy Sponsor tells Regional Directors and Service Managers (7.1).
    plan = await client.post(
        f"/v1/documents/{document_id}/versions/0.3/communication-plan",
        json={
            "audience": "Regional Directors and Service Managers",
            "channel": "email",
            "planned_on": (london_today() + timedelta(days=60)).isoformat(),
            "owner_id": cafcass.id("catherine"),
        },
        headers=author,
    )
    assert plan.status_code == 201, plan.text

    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", author)
    assert readiness["missing_gates"] == []
    assert readiness["is_ready"] is True
    gates = {g["gate"]: g for g in readiness["gates"]}
    assert gates["eia_screened"]["detail"] == (
        "Met by the equality impact screening of version 0.3 (no adverse impact)."
    )
    assert gates["legal_review"]["assessment"]["version_number"] == "0.2"
    assert gates["legal_review"]["statement"]["stated_by_name"] == "Ifeoma Nwosu"
    assert gates["legal_review"]["detail"].startswith(
        "Met by the legal review of version 0.2 (no concerns), carried to version 0.3 by Ifeoma "
        "Nwosu's statement of "
    )
    assert gates["fit_for_purpose"]["assessment"]["version_number"] == "0.3"

    # Step 6: the final draft to ECMT, with the recommendation that it goes to the Board.
    response = await client.post(
        "/v1/sign-offs",
        json={
            "document_id": document_id,
            "version_id": final["id"],
            "answers": {"board_approval": True},
        },
        headers=author,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert (body["route_key"], body["version_number"]) == ("policy_sign_off", "0.3")
    assert statuses(body) == {"ecmt": "active", "board": "pending"}
    body = await decided_at_meeting(client, team, body, "ecmt", ECMT, ask="decision")
    assert statuses(body) == {"ecmt": "approved", "board": "active"}
    assert body["status"] == "in_progress"
    # Appendix 1, "Submit final draft to Board": "the final draft version is submitted with a
    # communications plan [...]. Copies of all responses to the consultation should be
    # included in the report to Board." The Board's papers pack carries both beside the draft.
    board_item = await item_of(client, team, stage(body, "board")["agenda_item_id"])
    pack = await client.get(f"/v1/meetings/{board_item['meeting_id']}/papers", headers=team)
    assert pack.status_code == 200, pack.text
    with zipfile.ZipFile(io.BytesIO(pack.content)) as papers:
        names = papers.namelist()
        [responses] = [n for n in names if "consultation responses" in n]
        assert responses.endswith("(agreed).html"), responses
        [plan] = [n for n in names if n.endswith("communication plan.csv")]
        report = papers.read(responses).decode()
        assert "Sunita" in report and "support" in report.lower()
        assert "Regional Directors and Service Managers" in papers.read(plan).decode("utf-8-sig")
        assert f"with: {plan}" in papers.read("agenda.txt").decode()
    body = await decided_at_meeting(client, team, body, "board", BOARD, ask="decision")
    assert statuses(body) == {"ecmt": "approved", "board": "approved"}
    assert body["status"] == "completed"
    assert [d["outcome"] for d in body["decisions"]] == ["approved", "approved"]

    # 4.11: issued as 1.0; 8.1: reviewed annually.
    document = await get_json(client, f"/v1/documents/{document_id}", team)
    assert document["status"] == "published"
    assert document["issued_version"] == "1.0"
    assert document["next_review_due"] == (london_today() + relativedelta(months=12)).isoformat()
    assert document["trix_url"] is None
    versions = await get_json(client, f"/v1/documents/{document_id}/versions", team)
    assert [v["number"] for v in versions] == ["1.0", "0.3", "0.2", "0.1"]
    assert versions[0]["id"] == body["issued_version_id"]

    # Step 7: the Trix script picks the issued version up and reports the page.
    trix = cafcass.headers("trix")
    pending = await get_json(client, "/v1/publications?status=pending", trix)
    (publication,) = pending["items"]
    assert (publication["document_id"], publication["version_number"], publication["action"]) == (
        document_id,
        "1.0",
        "upload",
    )
    uploaded = await client.post(
        f"/v1/publications/{publication['id']}/uploaded",
        json={"trix_url": TRIX_PAGE},
        headers=trix,
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["status"] == "done"
    document = await get_json(client, f"/v1/documents/{document_id}", team)
    assert document["trix_url"] == TRIX_PAGE
    assert (await get_json(client, "/v1/publications?status=pending", trix))["items"] == []

    # 4.14: the paper trail, in the order things happened.
    timeline = await get_json(client, f"/v1/documents/{document_id}/timeline", team)
    kinds = [e["type"] for e in timeline["entries"]]
    milestones = [
        "proposal.created",
        "proposal.submitted",
        "proposal.decided",
        "legal_review.answered",
        "eia.completed",
        "no_material_change.stated",
        "fitness_check.completed",
        "sign_off.submitted",
        "sign_off.decision",
        "document.issued",
        "publication.queued",
        "publication.done",
    ]
    positions = [kinds.index(kind) for kind in milestones]
    assert positions == sorted(positions), kinds
    assert kinds.count("sign_off.closed") == 1
    decisions = [e for e in timeline["entries"] if e["type"] == "sign_off.decision"]
    assert [e["details"]["method"] for e in decisions] == ["meeting", "meeting"]
    assert "ECMT" in decisions[0]["summary"] and BOARD in decisions[1]["summary"]
    assert kinds.index("proposal.decided") < kinds.index("version.added")
    assert kinds.index("document.issued") > kinds.index(
        "sign_off.decision", kinds.index("sign_off.decision") + 1
    )
