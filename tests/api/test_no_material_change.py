"""Assessments belong to a draft (issue 13, item 7): the EIA, legal review and fitness gates are
met by an assessment of the draft submitted, or of an earlier draft carried to it by the
responsible officer's statement that nothing material changed in between."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.api.assessments_support import (
    add_draft,
    completed_eia,
    events_of,
    fitness_check,
    legal_review,
)
from tests.api.sign_off_support import create_document, create_route, person_stage, submit
from tests.factories import World

STATEMENTS = "/v1/no-material-change-statements"
GATE_OF_KIND = {
    "equality_assessment": "eia_screened",
    "legal_review": "legal_review",
    "fitness_check": "fit_for_purpose",
}


async def _document_with_draft(client: AsyncClient, world: World, **fields: Any) -> tuple[str, str]:
    """A procedure owned by the approver, written by the author, who is also its RO."""
    document_id = await create_document(client, world, **fields)
    return document_id, await add_draft(client, world, document_id)


async def _route(client: AsyncClient, world: World, *gates: str) -> None:
    await create_route(client, world, [person_stage("rsm")], definition={"gates": list(gates)})


async def _readiness(client: AsyncClient, world: World, document_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/v1/sign-offs/readiness?document_id={document_id}", headers=world.a.author.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _gate(readiness: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in readiness["gates"] if g["gate"] == name)
    return found


async def _state(
    client: AsyncClient,
    world: World,
    kind: str,
    assessment_id: str,
    version_id: str,
    headers: dict[str, str] | None = None,
    reason: str = "Only the contact details in section 6 changed.",
    **extra: Any,
) -> Response:
    return await client.post(
        STATEMENTS,
        json={
            "assessment_kind": kind,
            "assessment_id": assessment_id,
            "version_id": version_id,
            "reason": reason,
            **extra,
        },
        headers=headers or world.a.author.headers,
    )


async def _assess(
    client: AsyncClient, world: World, kind: str, document_id: str, version_id: str
) -> str:
    """A passing assessment of ``kind`` of the draft; answers its id."""
    if kind == "equality_assessment":
        eia = await completed_eia(
            client, world, document_id, version_id, "screening", "no_adverse_impact"
        )
        return str(eia["id"])
    if kind == "legal_review":
        review = await legal_review(client, world, document_id, version_id, "no_concerns")
        return str(review["id"])
    checked = await fitness_check(client, world, document_id, version_id)
    assert checked.status_code == 201, checked.text
    return str(checked.json()["id"])


async def test_a_screening_of_draft_0_1_does_not_meet_the_eia_gate_for_draft_0_3(
    client: AsyncClient, world: World
) -> None:
    # Cafcass 4.8: "Following the consultation the near final version is re-drafted and it is
    # at this point that the policy should be subject to an initial assessment".
    await _route(client, world, "eia_screened")
    document_id, first = await _document_with_draft(client, world)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    await add_draft(client, world, document_id)
    near_final = await add_draft(client, world, document_id)
    refused = await submit(client, world, document_id, near_final)
    assert refused.status_code == 409, refused.text
    expected = (
        "The equality impact screening of version 0.1 does not cover version 0.3: screen 0.3, "
        "or the responsible officer states that nothing material changed since 0.1."
    )
    (missing,) = refused.json()["missing_gates"]
    assert missing["gate"] == "eia_screened"
    assert missing["detail"] == expected
    assert missing["assessment"]["id"] == screening["id"]
    assert missing["assessment"]["version_number"] == "0.1"
    readiness = await _readiness(client, world, document_id)
    assert readiness["is_ready"] is False
    assert readiness["missing_gates"] == [missing]
    assert _gate(readiness, "eia_screened") == {
        "gate": "eia_screened",
        "is_met": False,
        "detail": expected,
        "assessment": missing["assessment"],
        "statement": None,
    }

    # Screening the near final draft meets it, with no statement needed.
    own = await completed_eia(
        client, world, document_id, near_final, "screening", "no_adverse_impact"
    )
    gate = _gate(await _readiness(client, world, document_id), "eia_screened")
    assert gate["is_met"] is True
    assert gate["detail"] == (
        "Met by the equality impact screening of version 0.3 (no adverse impact)."
    )
    assert (gate["assessment"]["id"], gate["statement"]) == (own["id"], None)
    assert (await submit(client, world, document_id, near_final)).status_code == 201


async def test_the_responsible_officers_statement_carries_the_screening_of_0_1_to_0_3(
    client: AsyncClient, world: World
) -> None:
    await _route(client, world, "eia_screened")
    document_id, first = await _document_with_draft(client, world)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    await add_draft(client, world, document_id)
    near_final = await add_draft(client, world, document_id)
    stated = await _state(client, world, "equality_assessment", screening["id"], near_final)
    assert stated.status_code == 201, stated.text
    statement = stated.json()
    assert stated.headers["Location"] == f"{STATEMENTS}/{statement['id']}"
    assert statement["stated_by_id"] == str(world.a.author.person_id)
    assert (statement["assessed_version_id"], statement["version_id"]) == (first, near_final)
    assert statement["superseded_by_id"] is None

    readiness = await _readiness(client, world, document_id)
    assert readiness["is_ready"] is True
    gate = _gate(readiness, "eia_screened")
    assert gate["is_met"] is True
    assert gate["detail"].startswith(
        "Met by the equality impact screening of version 0.1 (no adverse impact), carried to "
        "version 0.3 by "
    )
    assert gate["detail"].endswith(
        "that nothing material changed: Only the contact details in section 6 changed."
    )
    assert gate["assessment"]["id"] == screening["id"]
    assert gate["statement"]["id"] == statement["id"]
    assert gate["statement"]["stated_by_id"] == str(world.a.author.person_id)
    assert gate["statement"]["stated_by_name"] in gate["detail"]
    assert gate["statement"]["reason"] == "Only the contact details in section 6 changed."
    assert gate["statement"]["stated_at"] == statement["stated_at"]
    # The statement is about 0.3 only: it says nothing of 0.2.
    second = (
        await client.get(f"/v1/documents/{document_id}/versions", headers=world.a.author.headers)
    ).json()[1]
    assert second["number"] == "0.2"
    assert (await submit(client, world, document_id, second["id"])).status_code == 409
    assert (await submit(client, world, document_id, near_final)).status_code == 201


@pytest.mark.parametrize("kind", list(GATE_OF_KIND))
async def test_each_gate_is_met_by_its_assessment_of_the_draft_or_the_officers_statement(
    client: AsyncClient, world: World, kind: str
) -> None:
    gate_name = GATE_OF_KIND[kind]
    await _route(client, world, gate_name)
    document_id, first = await _document_with_draft(client, world)
    assessment_id = await _assess(client, world, kind, document_id, first)
    gate = _gate(await _readiness(client, world, document_id), gate_name)
    assert (gate["is_met"], gate["assessment"]["id"]) == (True, assessment_id)
    assert gate["assessment"]["kind"] == kind

    second = await add_draft(client, world, document_id)
    refused = await submit(client, world, document_id, second)
    assert refused.status_code == 409, refused.text
    (missing,) = refused.json()["missing_gates"]
    assert missing["gate"] == gate_name
    assert "of version 0.1 does not cover version 0.2" in missing["detail"]
    assert (
        "the responsible officer states that nothing material changed since 0.1"
        in (missing["detail"])
    )

    stated = await _state(client, world, kind, assessment_id, second)
    assert stated.status_code == 201, stated.text
    gate = _gate(await _readiness(client, world, document_id), gate_name)
    assert gate["is_met"] is True
    assert gate["statement"]["id"] == stated.json()["id"]
    assert gate["assessment"]["version_number"] == "0.1"
    # Assessed again, the later draft rests on its own assessment, not on the statement.
    own = await _assess(client, world, kind, document_id, second)
    gate = _gate(await _readiness(client, world, document_id), gate_name)
    assert (gate["assessment"]["id"], gate["statement"]) == (own, None)
    assert (await submit(client, world, document_id, second)).status_code == 201


async def test_a_statement_cannot_carry_a_clean_screening_past_a_draft_screened_since(
    client: AsyncClient, world: World
) -> None:
    # If 0.2 was re-screened with possible adverse impact, 0.1's clean screening and a
    # statement cannot carry to 0.3 (Cafcass 4.8: a second assessment after changes).
    await _route(client, world, "eia_screened")
    document_id, first = await _document_with_draft(client, world)
    clean = await completed_eia(client, world, document_id, first, "screening", "no_adverse_impact")
    second = await add_draft(client, world, document_id)
    third = await add_draft(client, world, document_id)
    # Stated before 0.2 was screened again: the gate was met...
    assert (
        await _state(client, world, "equality_assessment", clean["id"], third)
    ).status_code == 201
    assert _gate(await _readiness(client, world, document_id), "eia_screened")["is_met"] is True
    adverse = await completed_eia(
        client, world, document_id, second, "screening", "possible_adverse_impact"
    )
    # ...and is no longer: the later screening stands, and it found possible adverse impact.
    gate = _gate(await _readiness(client, world, document_id), "eia_screened")
    assert gate["is_met"] is False
    assert gate["detail"] == (
        "The equality impact screening of version 0.2 found possible adverse impact: complete "
        "a full EIA of version 0.3."
    )
    assert (gate["assessment"]["id"], gate["statement"]) == (adverse["id"], None)
    assert (await submit(client, world, document_id, third)).status_code == 409
    # A new statement carrying 0.1's screening past 0.2 is refused, and so is one carrying
    # 0.2's adverse screening.
    spanning = await _state(client, world, "equality_assessment", clean["id"], third)
    assert spanning.status_code == 409, spanning.text
    assert "version 0.2" in spanning.json()["detail"]
    assert "never one from before a later assessment" in spanning.json()["detail"]
    carried = await _state(client, world, "equality_assessment", adverse["id"], third)
    assert carried.status_code == 409, carried.text
    assert "found possible adverse impact" in carried.json()["detail"]


async def test_legal_advice_that_a_draft_is_not_lawful_is_never_carried(
    client: AsyncClient, world: World
) -> None:
    await _route(client, world, "legal_review")
    document_id, first = await _document_with_draft(client, world)
    # LBBD 7: a legal review only "if required": with none asked, the gate is met and says so.
    gate = _gate(await _readiness(client, world, document_id), "legal_review")
    assert gate["is_met"] is True
    assert gate["detail"].startswith("No legal review was asked for")
    refused = await legal_review(client, world, document_id, first, "not_lawful")
    second = await add_draft(client, world, document_id)
    stated = await _state(client, world, "legal_review", refused["id"], second)
    assert stated.status_code == 409, stated.text
    assert "found not lawful" in stated.json()["detail"]
    assert "legal_review" in {
        m["gate"] for m in (await _readiness(client, world, document_id))["missing_gates"]
    }


async def test_only_the_responsible_officer_states_that_nothing_material_changed(
    client: AsyncClient, world: World
) -> None:
    await _route(client, world, "eia_screened")
    document_id, first = await _document_with_draft(client, world)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    second = await add_draft(client, world, document_id)
    # The policy team, the owner (RSM) while an RO is named, and the RO's own read-only key.
    reader_key = await client.post(
        "/v1/api-keys",
        json={"name": "RO reads", "role": "reader", "person_id": str(world.a.author.person_id)},
        headers=world.a.admin.headers,
    )
    assert reader_key.status_code == 201, reader_key.text
    # The RO's read-only key is refused by its role before anything else: a key does only
    # what both its role and its person allow.
    for headers, rule in (
        (world.a.policy_officer.headers, "responsible_officer"),
        (world.a.admin.headers, "responsible_officer"),
        (world.a.approver.headers, "responsible_officer"),
        ({"Authorization": f"Bearer {reader_key.json()['key']}"}, "role"),
    ):
        refused = await _state(
            client, world, "equality_assessment", screening["id"], second, headers=headers
        )
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["rule"] == rule
        if rule == "responsible_officer":
            assert "Only the document's responsible officer" in refused.json()["detail"]
    assert (await _readiness(client, world, document_id))["is_ready"] is False
    assert (
        await _state(client, world, "equality_assessment", screening["id"], second)
    ).status_code == 201


async def test_with_no_responsible_officer_named_the_rsm_stands_in(
    client: AsyncClient, world: World
) -> None:
    # NCT 2.3.4: the RSM assumes the role of RO when none has been identified.
    document_id, first = await _document_with_draft(client, world, responsible_officer_id=None)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    second = await add_draft(client, world, document_id)
    author = await _state(client, world, "equality_assessment", screening["id"], second)
    assert author.status_code == 403, author.text
    owner = await _state(
        client,
        world,
        "equality_assessment",
        screening["id"],
        second,
        headers=world.a.approver.headers,
    )
    assert owner.status_code == 201, owner.text
    assert owner.json()["stated_by_id"] == str(world.a.approver.person_id)


async def test_a_statement_is_never_changed_and_a_correction_supersedes_it(
    client: AsyncClient, world: World
) -> None:
    await _route(client, world, "eia_screened")
    document_id, first = await _document_with_draft(client, world)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    second = await add_draft(client, world, document_id)
    original = (await _state(client, world, "equality_assessment", screening["id"], second)).json()
    again = await _state(client, world, "equality_assessment", screening["id"], second)
    assert again.status_code == 409
    assert "supersedes_id" in again.json()["detail"]
    corrected = await _state(
        client,
        world,
        "equality_assessment",
        screening["id"],
        second,
        reason="Only the contact details and the glossary changed.",
        supersedes_id=original["id"],
    )
    assert corrected.status_code == 201, corrected.text
    correction = corrected.json()
    assert correction["supersedes_id"] == original["id"]
    twice = await _state(
        client,
        world,
        "equality_assessment",
        screening["id"],
        second,
        supersedes_id=original["id"],
    )
    assert twice.status_code == 409
    old = await client.get(f"{STATEMENTS}/{original['id']}", headers=world.a.author.headers)
    assert old.json()["superseded_by_id"] == correction["id"]
    assert old.json()["reason"] == "Only the contact details in section 6 changed."
    gate = _gate(await _readiness(client, world, document_id), "eia_screened")
    assert gate["statement"]["id"] == correction["id"]
    in_force = await client.get(
        f"{STATEMENTS}?document_id={document_id}&is_in_force=true", headers=world.a.author.headers
    )
    assert [s["id"] for s in in_force.json()["items"]] == [correction["id"]]
    every = await client.get(
        f"{STATEMENTS}?document_id={document_id}", headers=world.a.policy_officer.headers
    )
    assert [s["id"] for s in every.json()["items"]] == [original["id"], correction["id"]]
    # Recorded in the audit trail and told to the outbox, in the same transaction.
    audit = await client.get(
        f"/v1/audit?entity_type=no_material_change_statement&entity_id={original['id']}",
        headers=world.a.admin.headers,
    )
    assert [r["action"] for r in audit.json()["items"]] == ["no_material_change.stated"]
    stated = await events_of(world, "no_material_change.stated")
    assert [(e["statement_id"], e["supersedes_id"]) for e in stated] == [
        (original["id"], None),
        (correction["id"], original["id"]),
    ]
    assert stated[0]["assessment_id"] == screening["id"]
    # The database itself refuses to change a statement.
    async with world.sessionmaker() as session:
        with pytest.raises(DBAPIError, match="never changed"):
            await session.execute(
                text("UPDATE no_material_change_statements SET reason = 'x' WHERE id = :id"),
                {"id": uuid.UUID(original["id"])},
            )


async def test_a_statement_carries_a_finished_assessment_of_this_document_to_a_later_draft(
    client: AsyncClient, world: World
) -> None:
    document_id, first = await _document_with_draft(client, world)
    started = await client.post(
        "/v1/equality-assessments",
        json={"document_id": document_id, "version_id": first, "kind": "screening"},
        headers=world.a.author.headers,
    )
    second = await add_draft(client, world, document_id)
    unfinished = await _state(client, world, "equality_assessment", started.json()["id"], second)
    assert unfinished.status_code == 409
    assert "not finished" in unfinished.json()["detail"]
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    backwards = await _state(client, world, "equality_assessment", screening["id"], first)
    assert backwards.status_code == 422
    assert backwards.json()["invalid_params"][0]["name"] == "version_id"
    blank = await _state(
        client, world, "equality_assessment", screening["id"], second, reason="   "
    )
    assert blank.status_code == 422
    # Another kind's id, a random id and another organisation's assessment are all "no such".
    other_id, other_first = await _document_with_draft(client, world)
    foreign = await completed_eia(
        client, world, other_id, other_first, "screening", "no_adverse_impact"
    )
    wrong_draft = await _state(client, world, "equality_assessment", foreign["id"], second)
    assert wrong_draft.status_code == 422
    assert wrong_draft.json()["invalid_params"][0]["name"] == "version_id"
    answers = []
    for kind, assessment_id, headers in (
        ("legal_review", screening["id"], world.a.author.headers),
        ("equality_assessment", str(uuid.uuid4()), world.a.author.headers),
        ("equality_assessment", screening["id"], world.b.author.headers),
    ):
        response = await _state(client, world, kind, assessment_id, second, headers=headers)
        assert response.status_code == 422, response.text
        answers.append({k: v for k, v in response.json().items() if k != "instance"})
    assert answers[1] == answers[2]
    assert answers[1]["invalid_params"][0]["name"] == "assessment_id"


async def test_the_timeline_shows_who_stated_that_nothing_material_changed_when_and_why(
    client: AsyncClient, world: World
) -> None:
    document_id, first = await _document_with_draft(client, world)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    second = await add_draft(client, world, document_id)
    original = (await _state(client, world, "equality_assessment", screening["id"], second)).json()
    correction = (
        await _state(
            client,
            world,
            "equality_assessment",
            screening["id"],
            second,
            reason="Only the contact details and the glossary changed.",
            supersedes_id=original["id"],
        )
    ).json()
    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=world.a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"] == "no_material_change.stated"]
    assert [e["refs"]["statement_id"] for e in entries] == [original["id"], correction["id"]]
    first_entry, second_entry = entries
    assert first_entry["actor_id"] == str(world.a.author.person_id)
    assert first_entry["superseded_by"] == correction["id"]
    assert second_entry["superseded_by"] is None
    assert first_entry["at"] == original["stated_at"]
    assert (
        "(responsible officer) stated that nothing material changed between version 0.1 and "
        "version 0.2, so the equality impact screening of 0.1 stands for 0.2: Only the "
        "contact details in section 6 changed." in first_entry["summary"]
    )
    assert first_entry["actor_name"] and first_entry["summary"].startswith(
        first_entry["actor_name"]
    )
    assert second_entry["summary"].endswith("(a correction of an earlier statement).")
    assert second_entry["refs"]["assessment_id"] == screening["id"]
    assert second_entry["details"]["assessment_kind"] == "equality_assessment"
    kinds = [e["type"] for e in timeline.json()["entries"]]
    assert kinds.index("eia.completed") < kinds.index("no_material_change.stated")


async def test_an_amended_draft_sent_back_after_conditions_meets_the_gates_too(
    client: AsyncClient, world: World
) -> None:
    # NCT 3.4 a vii: approved with conditions, the amended draft goes back to the approver and
    # is what is issued: its EIA must be its own, or carried by the RO's statement.
    await _route(client, world, "eia_screened")
    document_id, first = await _document_with_draft(client, world)
    screening = await completed_eia(
        client, world, document_id, first, "screening", "no_adverse_impact"
    )
    submitted = await submit(client, world, document_id, first)
    assert submitted.status_code == 201, submitted.text
    sign_off = submitted.json()
    conditioned = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/decisions",
        json={
            "version_id": first,
            "outcome": "approved_with_conditions",
            "conditions": ["Name the MASH threshold document in section 3."],
        },
        headers=world.a.approver.headers,
    )
    assert conditioned.status_code == 201, conditioned.text
    amended = await add_draft(client, world, document_id)

    async def send_back() -> Response:
        return await client.post(
            f"/v1/sign-offs/{sign_off['id']}/amendments",
            json={"version_id": amended},
            headers=world.a.author.headers,
        )

    refused = await send_back()
    assert refused.status_code == 409, refused.text
    (missing,) = refused.json()["missing_gates"]
    assert missing["gate"] == "eia_screened"
    assert "of version 0.1 does not cover version 0.2" in missing["detail"]
    stated = await _state(
        client,
        world,
        "equality_assessment",
        screening["id"],
        amended,
        reason="The amendment names a threshold document; no group is affected differently.",
    )
    assert stated.status_code == 201, stated.text
    back = await send_back()
    assert back.status_code == 200, back.text
    assert back.json()["version_number"] == "0.2"
