"""Voting rules per stage through the HTTP API (issue 20, item 7): named approvers deciding by
a simple or an absolute majority, N of them, with a quorum and abstentions; each stage settles
as soon as its outcome is certain and keeps the tally; routes with impossible rules are
refused."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    stage,
    submit,
    upload_draft,
)
from tests.api.voting_support import panel_stage, submitted, voters
from tests.factories import Member, World


async def _vote(
    client: AsyncClient, sign_off: dict[str, Any], member: Member, outcome: str = "approved"
) -> dict[str, Any]:
    reasons = "" if outcome == "approved" else f"Reasons for {outcome}."
    response = await decide(client, sign_off, member.headers, outcome, reasons=reasons)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_a_simple_majority_settles_as_soon_as_the_votes_to_come_cannot_change_it(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 5)
    sign_off = await submitted(client, world, [panel_stage(panel, "simple_majority")])
    assert stage(sign_off, "panel")["tally"]["pending"] == 5
    await _vote(client, sign_off, panel[0])
    await _vote(client, sign_off, panel[1], "rejected")
    two_one = await _vote(client, sign_off, panel[2])
    # 2 for, 1 against, 2 to come: the two could still tie it.
    assert two_one["status"] == "in_progress"
    assert stage(two_one, "panel")["tally"]["outcome"] is None
    done = await _vote(client, sign_off, panel[3])
    # 3 for, 1 against, 1 to come: nothing the last can do changes it.
    assert done["status"] == "completed"
    panel_done = stage(done, "panel")
    assert panel_done["status"] == "approved"
    assert panel_done["tally"] == {
        "rule": "simple_majority",
        "eligible": 5,
        "approvals": 3,
        "refusals": 1,
        "abstentions": 0,
        "pending": 1,
        "required": 1,
        "quorum": None,
        "is_quorate": True,
        "outcome": "approved",
    }
    late = await decide(client, sign_off, panel[4].headers)
    assert late.status_code == 409


async def test_a_tie_is_not_a_simple_majority_and_refuses_the_sign_off(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 4)
    sign_off = await submitted(client, world, [panel_stage(panel, "simple_majority")])
    await _vote(client, sign_off, panel[0])
    await _vote(client, sign_off, panel[1], "rejected")
    await _vote(client, sign_off, panel[2])
    tied = await _vote(client, sign_off, panel[3], "rejected")
    assert tied["status"] == "rejected"
    assert stage(tied, "panel")["status"] == "rejected"
    assert stage(tied, "panel")["tally"]["outcome"] == "refused"
    assert (
        stage(tied, "panel")["tally"]["approvals"],
        stage(tied, "panel")["tally"]["refusals"],
    ) == (2, 2)


async def test_a_simple_majority_is_refused_early_when_it_can_at_best_tie(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 4)
    sign_off = await submitted(client, world, [panel_stage(panel, "simple_majority")])
    await _vote(client, sign_off, panel[0])
    level = await _vote(client, sign_off, panel[1], "rejected")
    assert level["status"] == "in_progress"  # 1 for, 1 against, two to come
    refused = await _vote(client, sign_off, panel[2], "rejected")
    # 1 for, 2 against, 1 to come: at best a tie, so refused without waiting for it.
    assert refused["status"] == "rejected"
    assert stage(refused, "panel")["tally"]["pending"] == 1
    assert stage(refused, "panel")["finished_at"] is not None


async def test_abstentions_count_towards_the_quorum_but_not_for_or_against(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 3)
    rule = panel_stage(panel, "simple_majority", quorum=3, allow_abstention=True)
    sign_off = await submitted(client, world, [rule])
    abstained = await _vote(client, sign_off, panel[0], "abstained")
    assert abstained["decisions"][0]["outcome"] == "abstained"
    assert abstained["decisions"][0]["reasons"] == "Reasons for abstained."
    await _vote(client, sign_off, panel[1])
    still = await _vote(client, sign_off, panel[2], "abstained")
    # One for, none against, two abstentions: a majority of the votes cast, and quorate.
    assert still["status"] == "completed"
    tally = stage(still, "panel")["tally"]
    assert (tally["approvals"], tally["refusals"], tally["abstentions"]) == (1, 0, 2)
    assert tally["is_quorate"] is True


async def test_a_certain_majority_waits_until_the_quorum_is_met(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 5)
    rule = panel_stage(panel, "simple_majority", quorum=4, allow_abstention=True)
    sign_off = await submitted(client, world, [rule])
    for member in panel[:3]:
        waiting = await _vote(client, sign_off, member)
    # 3 for of 5 cannot be outvoted, but 3 votes are not the quorum of 4.
    assert waiting["status"] == "in_progress"
    tally = stage(waiting, "panel")["tally"]
    assert (tally["is_quorate"], tally["outcome"], tally["quorum"]) == (False, None, 4)
    quorate = await _vote(client, sign_off, panel[3], "abstained")
    assert quorate["status"] == "completed"
    assert stage(quorate, "panel")["tally"]["is_quorate"] is True


async def test_an_absolute_majority_is_of_those_eligible_not_of_the_votes_cast(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 4)
    rule = panel_stage(panel, "absolute_majority", allow_abstention=True)
    sign_off = await submitted(client, world, [rule])
    assert stage(sign_off, "panel")["required"] == 3
    await _vote(client, sign_off, panel[0])
    await _vote(client, sign_off, panel[1])
    one_abstains = await _vote(client, sign_off, panel[2], "abstained")
    # 2 for and nobody against is a simple majority, not 3 of 4: it waits for the last.
    assert one_abstains["status"] == "in_progress"
    refused = await _vote(client, sign_off, panel[3], "abstained")
    assert refused["status"] == "rejected"
    tally = stage(refused, "panel")["tally"]
    assert (tally["approvals"], tally["required"], tally["outcome"]) == (2, 3, "refused")


async def test_an_absolute_majority_carries_before_everyone_has_voted(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 5)
    sign_off = await submitted(client, world, [panel_stage(panel, "absolute_majority")])
    await _vote(client, sign_off, panel[0], "rejected")  # one refusal does not refuse it
    await _vote(client, sign_off, panel[1])
    two = await _vote(client, sign_off, panel[2])
    assert two["status"] == "in_progress"
    three = await _vote(client, sign_off, panel[3])
    assert three["status"] == "completed"
    assert stage(three, "panel")["tally"]["pending"] == 1


async def test_n_of_them_with_abstentions_is_refused_once_too_few_are_left_to_approve(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 3)
    rule = panel_stage(panel, "count", count=2, allow_abstention=True)
    sign_off = await submitted(client, world, [rule])
    first = await _vote(client, sign_off, panel[0], "abstained")
    assert first["status"] == "in_progress"
    second = await _vote(client, sign_off, panel[1], "abstained")
    assert second["status"] == "rejected"
    assert stage(second, "panel")["tally"]["outcome"] == "refused"


async def test_abstaining_or_deferring_is_refused_where_the_rule_does_not_allow_it(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 3)
    sign_off = await submitted(client, world, [panel_stage(panel, "simple_majority")])
    refused = await decide(client, sign_off, panel[0].headers, "abstained", reasons="Conflict.")
    assert refused.status_code == 422
    assert refused.json()["invalid_params"][0]["name"] == "outcome"
    # A vote by majority is for or against: one member cannot defer the panel's decision.
    deferred = await decide(client, sign_off, panel[0].headers, "deferred")
    assert deferred.status_code == 422
    assert deferred.json()["invalid_params"][0]["name"] == "outcome"


async def test_an_abstention_gives_its_reasons(client: AsyncClient, world: World) -> None:
    panel = await voters(client, world, 3)
    rule = panel_stage(panel, "simple_majority", allow_abstention=True)
    sign_off = await submitted(client, world, [rule])
    bare = await decide(client, sign_off, panel[0].headers, "abstained")
    assert bare.status_code == 422
    assert bare.json()["invalid_params"][0]["name"] == "reasons"
    given = await decide(
        client, sign_off, panel[0].headers, "abstained", reasons="I chaired the consultation."
    )
    assert given.status_code == 201, given.text


async def test_a_voter_changes_their_vote_by_superseding_it_and_the_tally_follows(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 3)
    sign_off = await submitted(client, world, [panel_stage(panel, "simple_majority")])
    against = await _vote(client, sign_off, panel[0], "rejected")
    changed = await decide(
        client,
        sign_off,
        panel[0].headers,
        "approved",
        supersedes_id=against["decisions"][0]["id"],
    )
    assert changed.status_code == 201, changed.text
    tally = stage(changed.json(), "panel")["tally"]
    assert (tally["approvals"], tally["refusals"]) == (1, 0)
    done = await _vote(client, sign_off, panel[1])
    assert done["status"] == "completed"


async def test_routes_with_rules_that_cannot_be_met_are_refused(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 3)
    bad = [
        panel_stage(panel, "count", count=4),
        panel_stage(panel, "simple_majority", quorum=4),
        panel_stage(panel, "all", quorum=2),
        panel_stage(panel, "any", allow_abstention=True),
        panel_stage(panel, "count", count=3, quorum=2),
        panel_stage(panel, "simple_majority", escalate_after_working_days=3),
        panel_stage(panel, "simple_majority", time_limit_working_days=0),
        {
            "key": "board",
            "name": "At the meeting",
            "decider": {"kind": "board", "board_id": str(panel[0].person_id)},
            "time_limit_working_days": 5,
        },
    ]
    for stage_body in bad:
        response = await client.post(
            "/v1/routes",
            json={"key": "bad", "name": "Bad", "definition": {"stages": [stage_body]}},
            headers=world.a.policy_officer.headers,
        )
        assert response.status_code == 422, (stage_body, response.text)
    good = panel_stage(panel, "absolute_majority", quorum=3, allow_abstention=True)
    made = await create_route(client, world, [{**good, "time_limit_working_days": 10}])
    assert made["definition"]["stages"][0]["decider"]["quorum"] == 3
    assert made["definition"]["stages"][0]["time_limit_working_days"] == 10


async def test_a_quorum_more_than_the_approvers_the_submitter_names_is_refused(
    client: AsyncClient, world: World
) -> None:
    panel = await voters(client, world, 3)
    chosen = {
        "key": "panel",
        "name": "Panel",
        "decider": {"kind": "people", "people": [], "rule": "simple_majority", "quorum": 3},
    }
    await create_route(client, world, [chosen])
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    two = [str(m.person_id) for m in panel[:2]]
    short = await submit(client, world, document_id, draft["id"], approvers={"panel": two})
    assert short.status_code == 409
    assert "quorum is 3" in short.json()["detail"]
    three = [str(m.person_id) for m in panel]
    enough = await submit(client, world, document_id, draft["id"], approvers={"panel": three})
    assert enough.status_code == 201, enough.text
