"""Dis-applications through the API (Cafcass 6.1): who may ask and who decides, the dates, the
states, the register and the document's own list, isolation between organisations."""

from __future__ import annotations

import csv
import io
from typing import Any

from httpx import AsyncClient

from services.domain.dis_applications.rules import latest_end
from tests.api.assessments_support import events_of
from tests.api.dis_applications_support import (
    approved,
    ask,
    asked,
    day,
    decide,
    in_force_document,
    today,
)
from tests.factories import World, document_body


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


async def test_a_member_of_staff_asks_and_the_policy_sponsor_puts_it_in_force(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await asked(client, a, document_id)
    assert made["status"] == "requested"
    assert made["is_in_force"] is False
    assert made["requested_by_id"] == str(a.reader.person_id)
    assert made["discussed_with_id"] == str(a.policy_officer.person_id)
    assert made["issued_version"] == "1.0"

    decided = await decide(client, made["id"], a.approver.headers)
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["status"], body["is_in_force"]) == ("approved", True)
    assert body["decided_by_id"] == str(a.approver.person_id)
    assert body["decision_note"].startswith("Exceptional staffing")
    assert decided.headers["ETag"] == '"r2"'

    got = await client.get(f"/v1/dis-applications/{made['id']}", headers=a.reader.headers)
    assert got.status_code == 200 and got.json()["status"] == "approved"
    on_document = await client.get(
        f"/v1/documents/{document_id}/dis-applications", headers=a.reader.headers
    )
    assert on_document.status_code == 200, on_document.text
    assert [d["id"] for d in on_document.json()["in_force"]] == [made["id"]]
    assert [e["status"] for e in await events_of(world, "dis_application.decided")] == ["approved"]
    requested = await events_of(world, "dis_application.requested")
    assert [e["dis_application_id"] for e in requested] == [made["id"]]
    audit = await client.get(
        f"/v1/audit?entity_type=dis_application&entity_id={made['id']}",
        headers=a.admin.headers,
    )
    assert [r["action"] for r in audit.json()["items"]] == [
        "dis_application.requested",
        "dis_application.decided",
    ]


async def test_only_the_decider_the_organisation_names_decides_and_never_their_own_request(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await asked(client, a, document_id)
    # An admin may do everything, but is not the Policy Sponsor of this document.
    admin = _problem(await decide(client, made["id"], a.admin.headers), 403)
    assert admin["rule"] == "dis_application_decider"
    # Without the permission to decide at all: the role gate.
    author = _problem(await decide(client, made["id"], a.author.headers), 403)
    assert author["rule"] == "role"
    # The owner asks for their own document: they may not decide it.
    own = await asked(client, a, document_id, section="5.1 Supervision")
    assert own["status"] == "requested"
    mine = await ask(client, a, document_id, headers=a.approver.headers, section="6 Recording")
    assert mine.status_code == 201, mine.text
    refused = _problem(await decide(client, mine.json()["id"], a.approver.headers), 403)
    assert refused["rule"] == "segregation_of_duties"
    still = await client.get(f"/v1/dis-applications/{mine.json()['id']}", headers=a.reader.headers)
    assert still.json()["status"] == "requested"


async def test_the_post_the_organisation_names_decides_instead_of_the_owner(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    org = await client.get("/v1/organisation", headers=a.admin.headers)
    assert org.json()["dis_application_decider"] == {"kind": "document_role", "role": "owner"}
    assert org.json()["dis_application_reminder_days"] == [14, 2]
    changed = await client.patch(
        "/v1/organisation",
        json={"dis_application_decider": {"kind": "post", "post": "corporate_director"}},
        headers={**a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["dis_application_decider"] == {
        "kind": "post",
        "post": "corporate_director",
    }
    post = await client.post(
        "/v1/posts",
        json={"post": "corporate_director", "person_id": str(a.admin.person_id)},
        headers=a.admin.headers,
    )
    assert post.status_code == 201, post.text
    document_id = await in_force_document(client, a)
    made = await asked(client, a, document_id)
    owner = _problem(await decide(client, made["id"], a.approver.headers), 403)
    assert owner["rule"] == "dis_application_decider"
    holder = await decide(client, made["id"], a.admin.headers, outcome="refused")
    assert holder.status_code == 200, holder.text
    assert (holder.json()["status"], holder.json()["is_in_force"]) == ("refused", False)


async def test_a_decider_setting_that_names_no_post_or_role_is_refused(
    client: AsyncClient, world: World
) -> None:
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    for bad in ({"kind": "post"}, {"kind": "document_role", "role": "chair"}, {"kind": "board"}):
        response = await client.patch(
            "/v1/organisation",
            json={"dis_application_decider": bad},
            headers={**world.a.admin.headers, "If-Match": org.headers["ETag"]},
        )
        _problem(response, 422)


async def test_the_dates_are_bounded_by_the_start_and_a_year(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    before = _problem(await ask(client, a, document_id, ends_on=day(-1), starts_on=day(0)), 422)
    assert before["invalid_params"][0]["name"] == "ends_on"
    too_long = latest_end(today()).toordinal() + 1 - today().toordinal()
    beyond = _problem(await ask(client, a, document_id, ends_on=day(too_long)), 422)
    assert beyond["invalid_params"][0]["name"] == "ends_on"
    assert "12 months" in beyond["detail"]
    past = _problem(await ask(client, a, document_id, starts_on=day(-3)), 422)
    assert past["invalid_params"][0]["name"] == "starts_on"
    a_year = await ask(client, a, document_id, ends_on=latest_end(today()).isoformat())
    assert a_year.status_code == 201, a_year.text
    one_day = await ask(client, a, document_id, ends_on=day(0), section="7 Closing")
    assert one_day.status_code == 201, one_day.text
    blank = _problem(await ask(client, a, document_id, reasons=""), 422)
    assert blank["invalid_params"][0]["name"] == "reasons"


async def test_approving_needs_both_agreements_and_a_decision_is_taken_once(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await asked(client, a, document_id)
    unjustified = _problem(
        await decide(client, made["id"], a.approver.headers, variation_justified=False), 422
    )
    assert unjustified["invalid_params"][0]["name"] == "variation_justified"
    usual = _problem(
        await decide(client, made["id"], a.approver.headers, circumstances_exceptional=False),
        422,
    )
    assert usual["invalid_params"][0]["name"] == "circumstances_exceptional"
    first = await decide(client, made["id"], a.approver.headers)
    assert first.status_code == 200, first.text
    again = _problem(await decide(client, made["id"], a.approver.headers, outcome="refused"), 409)
    assert "already approved" in again["detail"]
    got = await client.get(f"/v1/dis-applications/{made['id']}", headers=a.reader.headers)
    assert got.json()["status"] == "approved"


async def test_only_a_document_in_force_can_be_dis_applied(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    created = await client.post(
        "/v1/documents", json=document_body(), headers=a.policy_officer.headers
    )
    draft_only = created.json()["id"]
    problem = _problem(await ask(client, a, draft_only), 409)
    assert "in force" in problem["detail"]


async def test_another_organisations_ids_answer_as_missing_ones(
    client: AsyncClient, world: World
) -> None:
    a, b = world.a, world.b
    theirs = await in_force_document(client, b)
    theirs_asked = await asked(client, b, theirs)
    _problem(await ask(client, a, theirs), 404)
    _problem(
        await client.get(f"/v1/documents/{theirs}/dis-applications", headers=a.reader.headers),
        404,
    )
    _problem(
        await client.get(f"/v1/dis-applications/{theirs_asked['id']}", headers=a.reader.headers),
        404,
    )
    _problem(await decide(client, theirs_asked["id"], a.approver.headers), 404)
    ours = await in_force_document(client, a)
    foreign_manager = _problem(
        await ask(client, a, ours, discussed_with_id=str(b.policy_officer.person_id)), 422
    )
    assert foreign_manager["invalid_params"][0]["name"] == "discussed_with_id"
    register = await client.get("/v1/dis-applications", headers=a.reader.headers)
    assert register.json()["items"] == []


async def test_a_request_is_withdrawn_by_its_requester_and_an_approval_revoked_early(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await asked(client, a, document_id)
    url = f"/v1/dis-applications/{made['id']}"
    other = _problem(
        await client.post(f"{url}/withdrawal", json={"reason": "x"}, headers=a.author.headers),
        403,
    )
    assert other["rule"] == "dis_application_requester"
    withdrawn = await client.post(
        f"{url}/withdrawal", json={"reason": "Cover found."}, headers=a.reader.headers
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["end_reason"]) == (
        "withdrawn",
        "Cover found.",
    )
    _problem(await decide(client, made["id"], a.approver.headers), 409)

    granted = await approved(client, a, document_id, section="5 Supervision")
    url = f"/v1/dis-applications/{granted['id']}"
    _problem(
        await client.post(f"{url}/revocation", json={"reason": "x"}, headers=a.reader.headers),
        403,
    )
    revoked = await client.post(
        f"{url}/revocation", json={"reason": "Staffing is back."}, headers=a.approver.headers
    )
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["status"], revoked.json()["is_in_force"]) == ("revoked", False)
    assert revoked.json()["ended_by_id"] == str(a.approver.person_id)
    _problem(
        await client.post(f"{url}/revocation", json={"reason": "x"}, headers=a.approver.headers),
        409,
    )
    ended = await events_of(world, "dis_application.ended")
    assert [e["status"] for e in ended] == ["withdrawn", "revoked"]


async def test_the_register_lists_those_in_force_by_team_and_end_date_a_page_at_a_time(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    later = await approved(client, a, document_id, ends_on=day(90), section="A")
    soon = await approved(client, a, document_id, ends_on=day(10), section="B")
    other_team = await approved(
        client, a, document_id, ends_on=day(20), section="C", applies_to="North team"
    )
    waiting = await asked(client, a, document_id, ends_on=day(5), section="D")
    everything = await client.get("/v1/dis-applications", headers=a.reader.headers)
    assert [d["id"] for d in everything.json()["items"]] == [
        waiting["id"],
        soon["id"],
        other_team["id"],
        later["id"],
    ]
    in_force = await client.get("/v1/dis-applications?in_force=true", headers=a.reader.headers)
    assert [d["id"] for d in in_force.json()["items"]] == [
        soon["id"],
        other_team["id"],
        later["id"],
    ]
    team = await client.get(
        "/v1/dis-applications?in_force=true&applies_to=south%20WEST%20team",
        headers=a.reader.headers,
    )
    assert [d["id"] for d in team.json()["items"]] == [soon["id"], later["id"]]
    ending = await client.get(
        f"/v1/dis-applications?in_force=true&ending_by={day(30)}", headers=a.reader.headers
    )
    assert [d["id"] for d in ending.json()["items"]] == [soon["id"], other_team["id"]]
    requested = await client.get("/v1/dis-applications?status=requested", headers=a.reader.headers)
    assert [d["id"] for d in requested.json()["items"]] == [waiting["id"]]
    pages: list[str] = []
    cursors: list[str] = []
    url = "/v1/dis-applications?in_force=true&limit=2"
    while url:
        page = await client.get(url, headers=a.reader.headers)
        assert page.status_code == 200, page.text
        pages.append(",".join(d["id"] for d in page.json()["items"]))
        cursor = page.json()["next_cursor"]
        cursors += [cursor] if cursor else []
        url = f"/v1/dis-applications?in_force=true&limit=2&cursor={cursor}" if cursor else ""
    assert pages == [f"{soon['id']},{other_team['id']}", later["id"]]
    # A cursor is bound to the filters it was issued for.
    wrong_scope = await client.get(
        f"/v1/dis-applications?limit=2&cursor={cursors[0]}", headers=a.reader.headers
    )
    _problem(wrong_scope, 400)


async def test_an_integration_key_neither_reads_nor_asks(client: AsyncClient, world: World) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    _problem(await client.get("/v1/dis-applications", headers=a.integration.headers), 403)
    _problem(await ask(client, a, document_id, headers=a.integration.headers), 403)


async def test_the_timeline_shows_the_request_decision_and_end(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    granted = await approved(client, a, document_id)
    revoked = await client.post(
        f"/v1/dis-applications/{granted['id']}/revocation",
        json={"reason": "Staffing is back to normal."},
        headers=a.policy_officer.headers,
    )
    assert revoked.status_code == 200, revoked.text
    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"].startswith("dis_application")]
    assert [e["type"] for e in entries] == [
        "dis_application.requested",
        "dis_application.decided",
        "dis_application.revoked",
    ]
    requested, decided, ended = entries
    assert requested["actor_name"] == "Reader of alpha"
    assert "4.2 Home visits within 10 working days" in requested["summary"]
    assert "South West team" in requested["summary"]
    assert requested["details"]["discussed_with"] == "Policy Officer of alpha"
    assert decided["actor_name"] == "Approver of alpha"
    assert decided["summary"].startswith("Dis-application for South West team approved")
    assert ended["actor_name"] == "Policy Officer of alpha"
    assert "Staffing is back to normal." in ended["summary"]
    assert {e["refs"]["dis_application_id"] for e in entries} == {granted["id"]}


async def test_the_register_exports_as_csv_with_its_filters_and_no_formula_runs(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a, reference="POL-CSV-1")
    granted = await approved(
        client, a, document_id, mitigation='=HYPERLINK("http://evil.example","x")'
    )
    await asked(client, a, document_id, section="9 Waiting")
    exported = await client.get(
        "/v1/dis-applications/export.csv?in_force=true", headers=a.reader.headers
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff"))))
    assert len(rows) == 1
    [row] = rows
    assert (row["Reference"], row["Part"], row["Status"], row["In force today"]) == (
        "POL-CSV-1",
        granted["section"],
        "approved",
        "yes",
    )
    assert (row["Requested by"], row["Discussed with"], row["Decided by"]) == (
        "Reader of alpha",
        "Policy Officer of alpha",
        "Approver of alpha",
    )
    assert row["Ends on"] == granted["ends_on"]
    assert row["Decided on"] == today().isoformat()
    assert row["Mitigation"].startswith("'=HYPERLINK")
    everything = await client.get("/v1/dis-applications/export.csv", headers=a.reader.headers)
    assert len(list(csv.DictReader(io.StringIO(everything.text)))) == 2
    theirs = await client.get("/v1/dis-applications/export.csv", headers=world.b.reader.headers)
    assert list(csv.DictReader(io.StringIO(theirs.text.removeprefix("\ufeff")))) == []


async def test_a_document_with_nobody_to_decide_takes_no_request(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a, owner_id=None)
    problem = _problem(await ask(client, a, document_id), 409)
    assert "Nobody active is named to decide" in problem["detail"]


async def test_retiring_the_document_ends_its_dis_applications(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    granted = await approved(client, a, document_id)
    waiting = await asked(client, a, document_id, section="8 Records")
    other_document = await in_force_document(client, a)
    elsewhere = await approved(client, a, other_document)
    url = f"/v1/documents/{document_id}"
    got = await client.get(url, headers=a.policy_officer.headers)
    retired = await client.patch(
        url,
        json={"status": "retired"},
        headers={**a.policy_officer.headers, "If-Match": got.headers["ETag"]},
    )
    assert retired.status_code == 200, retired.text
    listed = await client.get(f"{url}/dis-applications", headers=a.reader.headers)
    by_id = {d["id"]: d for d in listed.json()["items"]}
    assert by_id[granted["id"]]["status"] == "revoked"
    assert by_id[waiting["id"]]["status"] == "withdrawn"
    assert by_id[granted["id"]]["ended_by_id"] == str(a.policy_officer.person_id)
    assert "none of it applies any more" in by_id[granted["id"]]["end_reason"]
    assert listed.json()["in_force"] == []
    other = await client.get(f"/v1/dis-applications/{elsewhere['id']}", headers=a.reader.headers)
    assert other.json()["status"] == "approved"


async def test_reminder_days_are_one_to_five_days_from_0_to_90(
    client: AsyncClient, world: World
) -> None:
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    headers = {**world.a.admin.headers, "If-Match": org.headers["ETag"]}
    for bad in ([], [91], [-1], [30, 14, 7, 3, 2, 1], None):
        response = await client.patch(
            "/v1/organisation", json={"dis_application_reminder_days": bad}, headers=headers
        )
        _problem(response, 422)
    fine = await client.patch(
        "/v1/organisation", json={"dis_application_reminder_days": [0, 7, 7, 30]}, headers=headers
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["dis_application_reminder_days"] == [30, 7, 0]
    audit = await client.get("/v1/audit?entity_type=organisation", headers=world.a.admin.headers)
    assert audit.json()["items"][-1]["action"] == "organisation.updated"
