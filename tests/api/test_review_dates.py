"""One rule for the next review date, through the HTTP API: issue, review confirmation,
registering an issued version, import and status changes all use it, and every document in
force has a due date (issue 13, item 6)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient, Response

from services.domain.clock import london_today
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    person_stage,
    submit,
    upload_draft,
)
from tests.factories import World

PROBLEM = "application/problem+json"


def months_from(day: date, months: int) -> str:
    return (day + relativedelta(months=months)).isoformat()


async def document_of(client: AsyncClient, world: World, document_id: str) -> dict[str, Any]:
    got = await client.get(f"/v1/documents/{document_id}", headers=world.a.policy_officer.headers)
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()
    data["etag"] = got.headers["ETag"]
    return data


async def patch_document(
    client: AsyncClient, world: World, document_id: str, **changes: Any
) -> Response:
    document = await document_of(client, world, document_id)
    return await client.patch(
        f"/v1/documents/{document_id}",
        json=changes,
        headers={**world.a.policy_officer.headers, "If-Match": document["etag"]},
    )


async def register_issued(
    client: AsyncClient, world: World, document_id: str, **fields: str
) -> Response:
    return await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", b"The issued procedure.", "text/plain")},
        data={"issued": "true", **fields},
        headers=world.a.policy_officer.headers,
    )


async def issue_through_sign_off(
    client: AsyncClient, world: World, document_id: str, **submission: Any
) -> dict[str, Any]:
    """Upload a draft, submit it and have the RSM approve it: it is issued."""
    draft = await upload_draft(client, world, document_id)
    submitted = await submit(client, world, document_id, draft["id"], **submission)
    assert submitted.status_code == 201, submitted.text
    decided = await decide(client, submitted.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    return await document_of(client, world, document_id)


async def tracked(client: AsyncClient, world: World) -> dict[str, str]:
    response = await client.get("/v1/tracker", headers=world.a.admin.headers)
    assert response.status_code == 200, response.text
    return {i["reference"]: i["next_review_due"] for i in response.json()["items"]}


# --- registering an issued version ---------------------------------------------------------------


async def scheduled_document(client: AsyncClient, world: World, due: date) -> str:
    """A procedure issued as 1.0 over a year ago whose review is due on ``due``."""
    document_id = await create_document(client, world)
    issued_on = london_today() - timedelta(days=400)
    first = await register_issued(client, world, document_id, issued_on=issued_on.isoformat())
    assert first.status_code == 201, first.text
    changed = await patch_document(client, world, document_id, next_review_due=due.isoformat())
    assert changed.status_code == 200, changed.text
    return document_id


async def test_registering_an_issued_version_without_its_dates_never_moves_a_scheduled_review(
    client: AsyncClient, world: World
) -> None:
    # Issue 13: a document due for review on 2026-12-10 had its due date moved to a year from
    # today, and the new version's issue date set to today, so its reminders never went out.
    due = london_today() + timedelta(days=7)
    document_id = await scheduled_document(client, world, due)
    response = await register_issued(client, world, document_id)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert {p["name"] for p in response.json()["invalid_params"]} == {"issued_on"}
    assert due.strftime("%-d %B %Y") in response.json()["detail"]
    document = await document_of(client, world, document_id)
    assert (document["next_review_due"], document["issued_version"]) == (due.isoformat(), "1.0")
    versions = await client.get(
        f"/v1/documents/{document_id}/versions", headers=world.a.admin.headers
    )
    assert [v["number"] for v in versions.json()] == ["1.0"]


async def test_an_issued_version_registered_later_counts_its_review_from_its_own_issue_date(
    client: AsyncClient, world: World
) -> None:
    due = london_today() + timedelta(days=7)
    document_id = await scheduled_document(client, world, due)
    issued_on = london_today() - timedelta(days=40)
    response = await register_issued(client, world, document_id, issued_on=issued_on.isoformat())
    assert response.status_code == 201, response.text
    assert (response.json()["number"], response.json()["issued_on"]) == (
        "2.0",
        issued_on.isoformat(),
    )
    document = await document_of(client, world, document_id)
    # The document's agreed interval (12 months) from the day 2.0 was issued, not from today.
    assert document["next_review_due"] == months_from(issued_on, 12)


async def test_an_issued_version_registered_with_its_review_date_keeps_that_date(
    client: AsyncClient, world: World
) -> None:
    due = london_today() + timedelta(days=7)
    document_id = await scheduled_document(client, world, due)
    issued_on = london_today() - timedelta(days=3)
    response = await register_issued(
        client,
        world,
        document_id,
        issued_on=issued_on.isoformat(),
        next_review_due=due.isoformat(),
    )
    assert response.status_code == 201, response.text
    assert response.json()["issued_on"] == issued_on.isoformat()
    assert (await document_of(client, world, document_id))["next_review_due"] == due.isoformat()
    assert (await tracked(client, world)) == {
        (await document_of(client, world, document_id))["reference"]: due.isoformat()
    }


async def test_a_first_issued_version_with_only_a_review_date_is_issued_today(
    client: AsyncClient, world: World
) -> None:
    document_id = await create_document(client, world)
    due = london_today() + timedelta(days=90)
    response = await register_issued(client, world, document_id, next_review_due=due.isoformat())
    assert response.status_code == 201, response.text
    assert response.json()["issued_on"] == london_today().isoformat()
    document = await document_of(client, world, document_id)
    assert (document["status"], document["next_review_due"]) == ("published", due.isoformat())


async def test_the_dates_of_a_registered_issued_version_are_checked(
    client: AsyncClient, world: World
) -> None:
    document_id = await create_document(client, world)
    today = london_today()
    cases: list[tuple[dict[str, str], str]] = [
        ({"issued_on": (today + timedelta(days=1)).isoformat()}, "issued_on"),
        ({"issued_on": "1899-12-31"}, "issued_on"),
        ({"issued_on": "31/12/2026"}, "issued_on"),
        ({"next_review_due": "3000-01-01"}, "next_review_due"),
        (
            {
                "issued_on": (today - timedelta(days=10)).isoformat(),
                "next_review_due": (today - timedelta(days=11)).isoformat(),
            },
            "next_review_due",
        ),
    ]
    for fields, field in cases:
        response = await register_issued(client, world, document_id, **fields)
        assert response.status_code == 422, (fields, response.text)
        assert field in {p["name"] for p in response.json()["invalid_params"]}, response.text
    # A draft has no issue date or review date of its own.
    draft = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"Draft.", "text/plain")},
        data={"issued_on": today.isoformat()},
        headers=world.a.policy_officer.headers,
    )
    assert draft.status_code == 422, draft.text
    assert (await document_of(client, world, document_id))["latest_version"] is None


async def test_an_issued_version_cannot_be_dated_before_the_one_it_follows(
    client: AsyncClient, world: World
) -> None:
    document_id = await create_document(client, world)
    first = await register_issued(
        client, world, document_id, issued_on=(london_today() - timedelta(days=5)).isoformat()
    )
    assert first.status_code == 201, first.text
    earlier = await register_issued(
        client,
        world,
        document_id,
        issued_on=(london_today() - timedelta(days=6)).isoformat(),
    )
    assert earlier.status_code == 422, earlier.text
    assert {p["name"] for p in earlier.json()["invalid_params"]} == {"issued_on"}


# --- the agreed interval stays on the document (LBBD, Dorset 8.1) -----------------------------


async def test_an_interval_agreed_at_sign_off_is_kept_by_a_later_sign_off_that_does_not_restate_it(
    client: AsyncClient, world: World
) -> None:
    # LBBD stage 11: a review schedule of 12-18 months; 18 agreed at the first sign-off.
    await create_route(
        client, world, [person_stage("rsm")], definition={"review_interval_months": 12}
    )
    document_id = await create_document(client, world, review_interval_months=None)
    first = await issue_through_sign_off(client, world, document_id, review_interval_months=18)
    assert (first["issued_version"], first["review_interval_months"]) == ("1.0", 18)
    assert first["next_review_due"] == months_from(london_today(), 18)
    # The amendment's sign-off says nothing about the schedule: the agreed 18 months stand.
    second = await issue_through_sign_off(client, world, document_id)
    assert (second["issued_version"], second["review_interval_months"]) == ("2.0", 18)
    assert second["next_review_due"] == months_from(london_today(), 18)
    # Dorset 8.1: agreed again at a later approval, the new schedule replaces it.
    third = await issue_through_sign_off(client, world, document_id, review_interval_months=6)
    assert (third["review_interval_months"], third["next_review_due"]) == (
        6,
        months_from(london_today(), 6),
    )


async def test_with_no_interval_agreed_the_routes_applies_and_is_not_written_on_the_document(
    client: AsyncClient, world: World
) -> None:
    # Birmingham: bespoke Trix chapters are reviewed six-monthly (the route's interval).
    await create_route(
        client, world, [person_stage("rsm")], definition={"review_interval_months": 6}
    )
    document_id = await create_document(client, world, review_interval_months=None)
    issued = await issue_through_sign_off(client, world, document_id)
    assert (issued["review_interval_months"], issued["next_review_due"]) == (
        None,
        months_from(london_today(), 6),
    )


# --- every document in force has a due date (NCT) -----------------------------------------------


async def test_a_procedure_issued_with_no_interval_anywhere_is_due_after_the_organisations_default(
    client: AsyncClient, world: World
) -> None:
    # NCT: no interval on the route, the kind or the document; the tracker must still show it.
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world, review_interval_months=None)
    issued = await issue_through_sign_off(client, world, document_id)
    assert issued["next_review_due"] == months_from(london_today(), 12)
    assert (await tracked(client, world)) == {issued["reference"]: issued["next_review_due"]}


async def test_the_organisations_default_interval_is_shown_and_changed_by_admins(
    client: AsyncClient, world: World
) -> None:
    org = await client.get("/v1/organisation", headers=world.a.reader.headers)
    assert org.json()["default_review_interval_months"] == 12
    for body in ({"default_review_interval_months": 0}, {"default_review_interval_months": None}):
        refused = await client.patch(
            "/v1/organisation",
            json=body,
            headers={**world.a.admin.headers, "If-Match": org.headers["ETag"]},
        )
        assert refused.status_code == 422, refused.text
    forbidden = await client.patch(
        "/v1/organisation",
        json={"default_review_interval_months": 24},
        headers={**world.a.policy_officer.headers, "If-Match": org.headers["ETag"]},
    )
    assert forbidden.status_code == 403
    changed = await client.patch(
        "/v1/organisation",
        json={"default_review_interval_months": 24},
        headers={**world.a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["default_review_interval_months"] == 24
    other = await client.get("/v1/organisation", headers=world.b.admin.headers)
    assert other.json()["default_review_interval_months"] == 12
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world, review_interval_months=None)
    issued = await issue_through_sign_off(client, world, document_id)
    assert issued["next_review_due"] == months_from(london_today(), 24)


async def test_a_kinds_default_applies_without_being_copied_onto_the_document(
    client: AsyncClient, world: World
) -> None:
    kinds = await client.get("/v1/document-kinds", headers=world.a.admin.headers)
    procedure = next(k for k in kinds.json() if k["key"] == "procedure")
    got = await client.get(f"/v1/document-kinds/{procedure['id']}", headers=world.a.admin.headers)
    changed = await client.patch(
        f"/v1/document-kinds/{procedure['id']}",
        json={"default_review_interval_months": 9},
        headers={**world.a.admin.headers, "If-Match": got.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world, review_interval_months=None)
    assert (await document_of(client, world, document_id))["review_interval_months"] is None
    issued = await issue_through_sign_off(client, world, document_id)
    assert (issued["review_interval_months"], issued["next_review_due"]) == (
        None,
        months_from(london_today(), 9),
    )


async def test_a_document_put_in_force_without_a_review_date_is_given_one(
    client: AsyncClient, world: World
) -> None:
    document_id = await create_document(client, world, review_interval_months=None)
    assert (await document_of(client, world, document_id))["next_review_due"] is None
    published = await patch_document(client, world, document_id, status="published")
    assert published.status_code == 200, published.text
    assert published.json()["next_review_due"] == months_from(london_today(), 12)
    # Clearing the date of a document in force gives it the date by the rule again.
    cleared = await patch_document(client, world, document_id, next_review_due=None)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["next_review_due"] == months_from(london_today(), 12)
    # Registered in force from the start, with no date: due the same way.
    created = await client.post(
        "/v1/documents",
        json={
            "reference": "PROC-LIVE",
            "title": "Live procedure",
            "kind": "policy",
            "status": "published",
            "review_interval_months": 6,
        },
        headers=world.a.policy_officer.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["next_review_due"] == months_from(london_today(), 6)


async def test_a_live_document_imported_without_a_review_date_is_due_after_its_last_review(
    client: AsyncClient, world: World
) -> None:
    last = london_today() - timedelta(days=200)
    content = (
        "Reference,Title,Kind,RSM email,Last reviewed,Next review due,Trix URL\r\n"
        f"PROC-9,Private fostering,Procedure,approver@alpha.example.org,{last.isoformat()},,"
        "https://trix.example.org/proc-9\r\n"
    ).encode()
    response = await client.post(
        "/v1/imports",
        files={"file": ("tracker.csv", content, "text/csv")},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 200, response.text
    assert (await tracked(client, world)) == {"PROC-9": months_from(last, 12)}
    # The same file again: the empty cell leaves the date of a document in force alone.
    again = await client.post(
        "/v1/imports",
        files={"file": ("tracker.csv", content, "text/csv")},
        headers=world.a.policy_officer.headers,
    )
    assert again.status_code == 200, again.text
    assert [a["action"] for a in again.json()["actions"]] == ["unchanged"]
    assert (await tracked(client, world)) == {"PROC-9": months_from(last, 12)}


# --- review confirmation -------------------------------------------------------------------------


async def test_confirming_no_change_uses_the_routes_interval_when_none_is_agreed(
    client: AsyncClient, world: World
) -> None:
    # Birmingham: Trix chapters six-monthly. A chapter registered as issued, with no interval
    # agreed for it, is reviewed on the route's schedule, counted from the confirmation.
    await create_route(
        client, world, [person_stage("rsm")], definition={"review_interval_months": 6}
    )
    document_id = await create_document(client, world, review_interval_months=None)
    registered = await register_issued(client, world, document_id)
    assert registered.status_code == 201, registered.text
    started = await client.post(
        "/v1/reviews",
        json={"document_id": document_id, "kind": "scheduled"},
        headers=world.a.author.headers,
    )
    assert started.status_code == 201, started.text
    review_id = started.json()["id"]
    for action, headers, body in (
        ("no-change", world.a.author.headers, {"statement": "Still matches practice."}),
        ("confirm", world.a.approver.headers, None),
    ):
        got = await client.get(f"/v1/reviews/{review_id}", headers=world.a.policy_officer.headers)
        acted = await client.post(
            f"/v1/reviews/{review_id}/{action}",
            json=body,
            headers={**headers, "If-Match": got.headers["ETag"]},
        )
        assert acted.status_code == 200, acted.text
    document = await document_of(client, world, document_id)
    assert document["next_review_due"] == months_from(london_today(), 6)
