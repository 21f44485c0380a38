"""What a draft needs before sign-off: a proposal approved by a board (Cafcass appendix 1), an
equality impact assessment (appendix 2), legal review (LBBD 7) and the fit-for-purpose checklist
(appendix 3)."""

from __future__ import annotations

from httpx import AsyncClient

from services.domain.assessments.equality import QUESTIONS as EIA_QUESTIONS
from services.domain.gates.checklist import QUESTIONS as FITNESS_QUESTIONS
from tests.api.assessments_support import (
    CATEGORIES,
    add_draft,
    all_answers,
    chair,
    create_proposal,
    decide,
    events_of,
    fitness_check,
    full_relevance,
    hold,
    legal_review,
    submitted_proposal,
    with_etag,
)
from tests.api.boards_support import (
    create_board,
    create_document_with_draft,
    create_meeting,
    in_days,
)
from tests.factories import World, document_body

# --- proposals ------------------------------------------------------------------------------


async def test_a_proposal_approved_by_the_board_at_a_meeting_is_approved(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    proposal, meeting = await submitted_proposal(client, world, document_id)
    assert proposal["status"] == "submitted"
    assert proposal["document_id"] == document_id
    item = await client.get(f"/v1/agenda-items/{proposal['agenda_item_id']}", headers=chair(world))
    assert item.status_code == 200, item.text
    assert (item.json()["ask"], item.json()["meeting_id"]) == ("new_proposal", meeting["id"])
    assert item.json()["document_id"] == document_id
    assert item.json()["board_id"] == proposal["board_id"]

    await hold(client, world, meeting["id"])
    await decide(
        client,
        world,
        meeting["id"],
        proposal["agenda_item_id"],
        "approved_with_conditions",
        text="Approved to proceed.",
        conditions=["Consult the LADO"],
    )
    got = await client.get(f"/v1/proposals/{proposal['id']}", headers=world.a.reader.headers)
    assert got.json()["status"] == "approved"
    assert got.json()["decided_at"] is not None
    assert "Approved to proceed." in got.json()["decision_note"]
    assert "Consult the LADO" in got.json()["decision_note"]
    decided = await events_of(world, "proposal.decided")
    assert [(e["proposal_id"], e["status"], e["document_id"]) for e in decided] == [
        (proposal["id"], "approved", document_id)
    ]
    # Once the board decided, the business case is the record: it no longer changes.
    changed = await client.patch(
        f"/v1/proposals/{proposal['id']}",
        json={"background": "Changed afterwards"},
        headers=with_etag(world.a.author.headers, got),
    )
    assert changed.status_code == 409
    audit = await client.get(
        f"/v1/audit?entity_type=proposal&entity_id={proposal['id']}",
        headers=world.a.admin.headers,
    )
    assert [r["action"] for r in audit.json()["items"]][-1] == "proposal.decided"


async def test_a_rejected_proposal_is_declined_and_a_corrected_minute_applies_again(
    client: AsyncClient, world: World
) -> None:
    proposal, meeting = await submitted_proposal(client, world)
    await hold(client, world, meeting["id"])
    url = f"/v1/proposals/{proposal['id']}"
    item_id = proposal["agenda_item_id"]
    noted = await decide(client, world, meeting["id"], item_id, "noted")
    assert (await client.get(url, headers=chair(world))).json()["status"] == "submitted"
    approved = await decide(
        client, world, meeting["id"], item_id, "approved", supersedes_id=noted["id"]
    )
    assert (await client.get(url, headers=chair(world))).json()["status"] == "approved"
    rejected = await decide(
        client,
        world,
        meeting["id"],
        item_id,
        "rejected",
        text="Covered by the existing policy.",
        supersedes_id=approved["id"],
    )
    got = (await client.get(url, headers=chair(world))).json()
    assert (got["status"], got["decision_note"]) == ("declined", "Covered by the existing policy.")
    await decide(client, world, meeting["id"], item_id, "referred", supersedes_id=rejected["id"])
    got = (await client.get(url, headers=chair(world))).json()
    assert (got["status"], got["decided_at"], got["decision_note"]) == ("submitted", None, "")
    decided = await events_of(world, "proposal.decided")
    assert [e["status"] for e in decided] == ["approved", "declined"]


async def test_who_may_draft_and_change_a_proposal(client: AsyncClient, world: World) -> None:
    reader = await create_proposal(client, world, world.a.reader.headers)
    assert reader.status_code == 403
    created = await create_proposal(client, world, world.a.admin.headers, lead_officer_id=None)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    assert created.json()["created_by_id"] == str(world.a.admin.person_id)
    assert created.headers["Location"] == f"/v1/proposals/{created.json()['id']}"
    url = f"/v1/proposals/{created.json()['id']}"
    # The sponsor may change it; the author, neither its creator, sponsor nor lead, may not.
    refused = await client.patch(
        url, json={"title": "Taken"}, headers=with_etag(world.a.author.headers, created)
    )
    assert refused.status_code == 403
    no_match = await client.patch(url, json={"title": "x"}, headers=world.a.approver.headers)
    assert no_match.status_code == 428
    changed = await client.patch(
        url,
        json={"title": "Allegations management", "outputs": "A procedure and a flowchart."},
        headers=with_etag(world.a.approver.headers, created),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Allegations management"
    stale = await client.patch(
        url, json={"title": "Again"}, headers=with_etag(world.a.approver.headers, created)
    )
    assert stale.status_code == 412
    null_title = await client.patch(
        url, json={"title": None}, headers=with_etag(world.a.approver.headers, changed)
    )
    assert null_title.status_code == 422
    nobody = await create_proposal(client, world, sponsor_id=str(world.b.admin.person_id))
    assert nobody.status_code == 422
    assert nobody.json()["invalid_params"][0]["name"] == "sponsor_id"
    other_org_document = await client.post(
        "/v1/documents", json=document_body(), headers=world.b.admin.headers
    )
    assert other_org_document.status_code == 201
    foreign = await create_proposal(client, world, document_id=other_org_document.json()["id"])
    assert foreign.status_code == 422
    assert foreign.json()["invalid_params"][0]["name"] == "document_id"


async def test_withdrawing_a_submitted_proposal_takes_its_item_off_the_forward_plan(
    client: AsyncClient, world: World
) -> None:
    proposal, _ = await submitted_proposal(client, world)
    url = f"/v1/proposals/{proposal['id']}"
    got = await client.get(url, headers=world.a.author.headers)
    refused = await client.post(f"{url}/withdraw", headers=with_etag(world.a.reader.headers, got))
    assert refused.status_code == 403
    withdrawn = await client.post(f"{url}/withdraw", headers=with_etag(world.a.author.headers, got))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    item = await client.get(f"/v1/agenda-items/{proposal['agenda_item_id']}", headers=chair(world))
    assert item.json()["status"] == "withdrawn"
    again = await client.post(
        f"{url}/withdraw", headers=with_etag(world.a.author.headers, withdrawn)
    )
    assert again.status_code == 409
    resubmitted = await client.post(
        f"{url}/submit",
        json={"board_id": proposal["board_id"]},
        headers=with_etag(world.a.author.headers, withdrawn),
    )
    assert resubmitted.status_code == 409


async def test_a_proposal_goes_to_the_board_asked_for_and_no_other(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    other = await create_board(client, world, name="Extended Corporate Management Team")
    meeting = await create_meeting(client, world, other["id"], in_days(60))
    created = await create_proposal(client, world, world.a.policy_officer.headers)
    url = f"/v1/proposals/{created.json()['id']}/submit"
    headers = with_etag(world.a.policy_officer.headers, created)
    wrong_meeting = await client.post(
        url, json={"board_id": board["id"], "meeting_id": meeting["id"]}, headers=headers
    )
    assert wrong_meeting.status_code == 422
    assert wrong_meeting.json()["invalid_params"][0]["name"] == "meeting_id"
    no_board = await client.post(url, json={"board_id": meeting["id"]}, headers=headers)
    assert no_board.status_code == 422
    assert no_board.json()["invalid_params"][0]["name"] == "board_id"
    # The agenda's rule holds: an author tables their own document, not a bare proposal.
    authors = await create_proposal(client, world)
    refused = await client.post(
        f"/v1/proposals/{authors.json()['id']}/submit",
        json={"board_id": other["id"]},
        headers=with_etag(world.a.author.headers, authors),
    )
    assert refused.status_code == 403
    assert "policy team" in refused.json()["detail"]
    # The next meeting of the board by default.
    submitted = await client.post(url, json={"board_id": other["id"]}, headers=headers)
    assert submitted.status_code == 200, submitted.text
    item = await client.get(
        f"/v1/agenda-items/{submitted.json()['agenda_item_id']}", headers=chair(world)
    )
    assert item.json()["meeting_id"] == meeting["id"]
    assert item.json()["title"] == "Allegations against staff"


async def test_proposals_are_listed_by_status_and_document_a_page_at_a_time(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    ids = []
    for n in range(3):
        created = await create_proposal(
            client, world, title=f"Proposal {n}", document_id=document_id if n else None
        )
        ids.append(created.json()["id"])
    first = await client.get("/v1/proposals?limit=2", headers=world.a.reader.headers)
    assert [p["id"] for p in first.json()["items"]] == ids[:2]
    cursor = first.json()["next_cursor"]
    rest = await client.get(
        f"/v1/proposals?limit=2&cursor={cursor}", headers=world.a.reader.headers
    )
    assert [p["id"] for p in rest.json()["items"]] == ids[2:]
    assert rest.json()["next_cursor"] is None
    for_document = await client.get(
        f"/v1/proposals?document_id={document_id}", headers=world.a.reader.headers
    )
    assert [p["id"] for p in for_document.json()["items"]] == ids[1:]
    submitted = await client.get("/v1/proposals?status=submitted", headers=world.a.reader.headers)
    assert submitted.json()["items"] == []
    other_filter = await client.get(
        f"/v1/proposals?status=draft&cursor={cursor}", headers=world.a.reader.headers
    )
    assert other_filter.status_code == 400
    other_org = await client.get("/v1/proposals", headers=world.b.admin.headers)
    assert other_org.json()["items"] == []


# --- equality impact assessments ------------------------------------------------------------


async def test_an_eia_rates_every_equality_category_before_it_is_completed(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    body = {"document_id": document_id, "version_id": version_id, "kind": "screening"}
    unknown_category = await client.post(
        "/v1/equality-assessments",
        json={**body, "relevance": {"shoe_size": "high"}},
        headers=world.a.author.headers,
    )
    assert unknown_category.status_code == 422
    assert unknown_category.json()["invalid_params"][0]["name"] == "relevance"
    unknown_question = await client.post(
        "/v1/equality-assessments",
        json={**body, "answers": {"a10_relevance": "High"}},
        headers=world.a.author.headers,
    )
    assert unknown_question.status_code == 422
    assert unknown_question.json()["invalid_params"][0]["name"] == "answers"
    created = await client.post(
        "/v1/equality-assessments",
        json={
            **body,
            "relevance": {"age": "high"},
            "answers": {"a1_aim": "To keep children safe from harm by staff."},
        },
        headers=world.a.author.headers,
    )
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["outcome"]) == ("in_progress", None)
    assert created.json()["assessor_id"] == str(world.a.author.person_id)
    url = f"/v1/equality-assessments/{created.json()['id']}"
    too_soon = await client.post(
        f"{url}/complete",
        json={"outcome": "no_adverse_impact"},
        headers=with_etag(world.a.author.headers, created),
    )
    assert too_soon.status_code == 422
    assert "disability" in too_soon.json()["detail"]
    rated = await client.patch(
        url,
        json={"relevance": full_relevance("medium")},
        headers=with_etag(world.a.author.headers, created),
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["answers"] == {"a1_aim": "To keep children safe from harm by staff."}
    full_outcome = await client.post(
        f"{url}/complete",
        json={"outcome": "adverse_impact_found"},
        headers=with_etag(world.a.author.headers, rated),
    )
    assert full_outcome.status_code == 422
    assert full_outcome.json()["invalid_params"][0]["name"] == "outcome"
    completed = await client.post(
        f"{url}/complete",
        json={"outcome": "possible_adverse_impact", "summary": "Age: young people."},
        headers=with_etag(world.a.author.headers, rated),
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "completed"
    assert completed.json()["outcome"] == "possible_adverse_impact"
    assert completed.json()["completed_at"] is not None
    # A completed assessment is the record: it is never changed.
    changed = await client.patch(
        url, json={"summary": "Later"}, headers=with_etag(world.a.author.headers, completed)
    )
    assert changed.status_code == 409
    again = await client.post(
        f"{url}/complete",
        json={"outcome": "no_adverse_impact"},
        headers=with_etag(world.a.author.headers, completed),
    )
    assert again.status_code == 409
    listed = await client.get(
        f"/v1/equality-assessments?document_id={document_id}", headers=world.a.author.headers
    )
    assert [a["id"] for a in listed.json()["items"]] == [created.json()["id"]]


async def test_the_organisation_chooses_the_equality_categories_it_screens(
    client: AsyncClient, world: World
) -> None:
    questions = await client.get(
        "/v1/equality-assessments/questions", headers=world.a.reader.headers
    )
    assert questions.status_code == 200, questions.text
    assert questions.json()["categories"] == list(CATEGORIES)
    assert [q["key"] for q in questions.json()["questions"]] == [k for k, _ in EIA_QUESTIONS]
    assert questions.json()["outcomes"]["screening"] == [
        "no_adverse_impact",
        "possible_adverse_impact",
    ]
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    assert org.json()["eia_categories"] == list(CATEGORIES)
    duplicated = await client.patch(
        "/v1/organisation",
        json={"eia_categories": ["age", "age"]},
        headers=with_etag(world.a.admin.headers, org),
    )
    assert duplicated.status_code == 422
    not_admin = await client.patch(
        "/v1/organisation",
        json={"eia_categories": ["age"]},
        headers=with_etag(world.a.policy_officer.headers, org),
    )
    assert not_admin.status_code == 403
    changed = await client.patch(
        "/v1/organisation",
        json={"eia_categories": ["age", "disability", "care_experience"]},
        headers=with_etag(world.a.admin.headers, org),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["eia_categories"] == ["age", "disability", "care_experience"]
    questions = await client.get(
        "/v1/equality-assessments/questions", headers=world.a.reader.headers
    )
    assert questions.json()["categories"] == ["age", "disability", "care_experience"]
    # Another organisation keeps its own.
    theirs = await client.get("/v1/equality-assessments/questions", headers=world.b.reader.headers)
    assert theirs.json()["categories"] == list(CATEGORIES)
    document_id, version_id = await create_document_with_draft(client, world)
    created = await client.post(
        "/v1/equality-assessments",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "kind": "full",
            "relevance": {"age": "low", "disability": "low", "care_experience": "high"},
        },
        headers=world.a.author.headers,
    )
    assert created.status_code == 201, created.text
    completed = await client.post(
        f"/v1/equality-assessments/{created.json()['id']}/complete",
        json={"outcome": "adverse_impact_justified"},
        headers=with_etag(world.a.author.headers, created),
    )
    assert completed.status_code == 200, completed.text


async def test_an_assessment_is_of_a_version_of_its_own_document(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    _, other_version = await create_document_with_draft(client, world, reference="PROC-2")
    for url, extra in (
        ("/v1/equality-assessments", {"kind": "screening"}),
        ("/v1/legal-reviews", {"question": "Lawful?"}),
        ("/v1/fitness-checks", {"answers": all_answers()}),
    ):
        response = await client.post(
            url,
            json={"document_id": document_id, "version_id": other_version, **extra},
            headers=world.a.author.headers,
        )
        assert response.status_code == 422, (url, response.text)
        assert response.json()["invalid_params"][0]["name"] == "version_id"


async def test_only_the_documents_team_records_and_reads_assessments(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    body = {"document_id": document_id, "version_id": version_id}
    for url, extra in (
        ("/v1/equality-assessments", {"kind": "screening"}),
        ("/v1/legal-reviews", {"question": "Lawful?"}),
        ("/v1/fitness-checks", {"answers": all_answers()}),
    ):
        refused = await client.post(url, json={**body, **extra}, headers=world.a.approver.headers)
        assert refused.status_code == 403, (url, refused.text)
        created = await client.post(url, json={**body, **extra}, headers=world.a.author.headers)
        assert created.status_code == 201, (url, created.text)
        by_policy_team = await client.get(
            f"{url}/{created.json()['id']}", headers=world.a.policy_officer.headers
        )
        assert by_policy_team.status_code == 200
        hidden = await client.get(f"{url}/{created.json()['id']}", headers=world.a.reader.headers)
        assert hidden.status_code == 403, url
        listed = await client.get(
            f"{url}?document_id={document_id}", headers=world.a.reader.headers
        )
        if url == "/v1/legal-reviews":
            # Lists show only the reviews the caller may read.
            assert listed.status_code == 200
            assert listed.json()["items"] == []
        else:
            assert listed.status_code == 403, url


# --- legal review ---------------------------------------------------------------------------


async def test_the_reviewer_named_answers_a_legal_review_once(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    asked = await client.post(
        "/v1/legal-reviews",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "question": "Does the procedure meet the LADO duties?",
            "reviewer_id": str(world.a.approver.person_id),
        },
        headers=world.a.author.headers,
    )
    assert asked.status_code == 201, asked.text
    review = asked.json()
    assert (review["requested_by_id"], review["outcome"]) == (str(world.a.author.person_id), None)
    requested = await events_of(world, "legal_review.requested")
    assert [(e["legal_review_id"], e["reviewer_id"]) for e in requested] == [
        (review["id"], str(world.a.approver.person_id))
    ]
    queue = await client.get(
        f"/v1/legal-reviews?reviewer_id={world.a.approver.person_id}&open=true",
        headers=world.a.approver.headers,
    )
    assert [r["id"] for r in queue.json()["items"]] == [review["id"]]
    url = f"/v1/legal-reviews/{review['id']}/answer"
    answer = {"advice": "Add the LADO referral timescale.", "outcome": "changes_advised"}
    by_policy_team = await client.post(url, json=answer, headers=world.a.policy_officer.headers)
    assert by_policy_team.status_code == 403
    by_reviewer = await client.post(url, json=answer, headers=world.a.approver.headers)
    assert by_reviewer.status_code == 200, by_reviewer.text
    assert by_reviewer.json()["outcome"] == "changes_advised"
    assert by_reviewer.json()["answered_by_id"] == str(world.a.approver.person_id)
    assert by_reviewer.json()["answered_at"] is not None
    twice = await client.post(
        url, json={**answer, "outcome": "no_concerns"}, headers=world.a.approver.headers
    )
    assert twice.status_code == 409
    answered = await events_of(world, "legal_review.answered")
    assert [(e["legal_review_id"], e["outcome"]) for e in answered] == [
        (review["id"], "changes_advised")
    ]
    still_open = await client.get(
        f"/v1/legal-reviews?reviewer_id={world.a.approver.person_id}&open=true",
        headers=world.a.approver.headers,
    )
    assert still_open.json()["items"] == []
    done = await client.get("/v1/legal-reviews?open=false", headers=world.a.author.headers)
    assert [r["id"] for r in done.json()["items"]] == [review["id"]]


async def test_a_legal_review_with_no_reviewer_named_is_answered_by_the_policy_team(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    review = await legal_review(client, world, document_id, version_id, None)
    url = f"/v1/legal-reviews/{review['id']}/answer"
    answer = {"advice": "Lawful as drafted.", "outcome": "no_concerns"}
    by_author = await client.post(url, json=answer, headers=world.a.author.headers)
    assert by_author.status_code == 403
    bad_outcome = await client.post(
        url, json={**answer, "outcome": "fine"}, headers=world.a.policy_officer.headers
    )
    assert bad_outcome.status_code == 422
    by_team = await client.post(url, json=answer, headers=world.a.policy_officer.headers)
    assert by_team.status_code == 200, by_team.text
    assert by_team.json()["advice"] == "Lawful as drafted."
    nobody = await client.post(
        "/v1/legal-reviews",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "question": "Lawful?",
            "reviewer_id": str(world.b.admin.person_id),
        },
        headers=world.a.author.headers,
    )
    assert nobody.status_code == 422
    assert nobody.json()["invalid_params"][0]["name"] == "reviewer_id"


# --- fitness check --------------------------------------------------------------------------


async def test_a_fitness_check_answers_every_question_and_is_never_changed(
    client: AsyncClient, world: World
) -> None:
    questions = await client.get("/v1/fitness-checks/questions", headers=world.a.reader.headers)
    assert [q["key"] for q in questions.json()["questions"]] == [k for k, _ in FITNESS_QUESTIONS]
    assert len(questions.json()["questions"]) == 10
    assert questions.json()["answers"] == ["yes", "no", "partly"]
    document_id, version_id = await create_document_with_draft(client, world)
    body = {"document_id": document_id, "version_id": version_id}
    partial = all_answers()
    del partial["q10_evidence"]
    missing = await client.post(
        "/v1/fitness-checks", json={**body, "answers": partial}, headers=world.a.author.headers
    )
    assert missing.status_code == 422
    assert "q10_evidence" in missing.json()["detail"]
    unknown = await client.post(
        "/v1/fitness-checks",
        json={**body, "answers": {**all_answers(), "q11_extra": {"answer": "yes"}}},
        headers=world.a.author.headers,
    )
    assert unknown.status_code == 422
    long_comment = await client.post(
        "/v1/fitness-checks",
        json={
            **body,
            "answers": {**all_answers(), "q1_outcome": {"answer": "yes", "comment": "x" * 2001}},
        },
        headers=world.a.author.headers,
    )
    assert long_comment.status_code == 422
    answers = {**all_answers(), "q7_diversity_impact": {"answer": "partly", "comment": "Screened"}}
    recorded = await client.post(
        "/v1/fitness-checks", json={**body, "answers": answers}, headers=world.a.author.headers
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["answers"]["q7_diversity_impact"] == {
        "answer": "partly",
        "comment": "Screened",
    }
    assert recorded.json()["answers"]["q1_outcome"] == {"answer": "yes", "comment": ""}
    assert recorded.json()["checked_by_id"] == str(world.a.author.person_id)
    later = await add_draft(client, world, document_id)
    second = await fitness_check(client, world, document_id, later)
    assert second.status_code == 201
    listed = await client.get(
        f"/v1/fitness-checks?document_id={document_id}", headers=world.a.author.headers
    )
    assert [(c["id"], c["version_id"]) for c in listed.json()["items"]] == [
        (recorded.json()["id"], version_id),
        (second.json()["id"], later),
    ]
    # Append-only: no route changes or removes a check.
    patched = await client.patch(
        f"/v1/fitness-checks/{recorded.json()['id']}", json={}, headers=world.a.admin.headers
    )
    assert patched.status_code == 405


# --- isolation ------------------------------------------------------------------------------


async def test_another_organisation_sees_none_of_these_records(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    proposal = await create_proposal(client, world)
    eia = await client.post(
        "/v1/equality-assessments",
        json={"document_id": document_id, "version_id": version_id, "kind": "screening"},
        headers=world.a.author.headers,
    )
    review = await legal_review(client, world, document_id, version_id, None)
    check = await fitness_check(client, world, document_id, version_id)
    theirs = world.b.admin.headers
    for url in (
        f"/v1/proposals/{proposal.json()['id']}",
        f"/v1/equality-assessments/{eia.json()['id']}",
        f"/v1/legal-reviews/{review['id']}",
        f"/v1/fitness-checks/{check.json()['id']}",
        f"/v1/equality-assessments?document_id={document_id}",
        f"/v1/fitness-checks?document_id={document_id}",
    ):
        response = await client.get(url, headers=theirs)
        assert response.status_code == 404, (url, response.text)
    for url in ("/v1/proposals", f"/v1/legal-reviews?document_id={document_id}"):
        assert (await client.get(url, headers=theirs)).json()["items"] == []
    answered = await client.post(
        f"/v1/legal-reviews/{review['id']}/answer",
        json={"advice": "x", "outcome": "no_concerns"},
        headers=theirs,
    )
    assert answered.status_code == 404
    on_their_document = await client.post(
        "/v1/fitness-checks",
        json={"document_id": document_id, "version_id": version_id, "answers": all_answers()},
        headers=theirs,
    )
    assert on_their_document.status_code == 422
    assert on_their_document.json()["invalid_params"][0]["name"] == "document_id"
