"""Reviews as records (NCT 3.4): start, no change stated by the RO and confirmed by the RSM,
amended through sign-off, cancelled; the documents a change may touch; who is told; and a
document reviewed with no change whose reminders stop."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient, Response
from sqlalchemy import select

from services.domain.clock import london_today
from services.domain.documents.review_dates import ReviewRules
from services.domain.models.documents import Document
from services.domain.models.notifications import Notification
from services.domain.notifications.review_schedule import plan_review_notices
from services.domain.notifications.sending import is_still_true
from services.notifier.relay import relay_once
from tests.api.assessments_support import events_of, with_etag
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    person_stage,
    submit,
    upload_draft,
)
from tests.factories import World
from tests.notifier.conftest import RecordingTransport

RULES = ReviewRules(reminder_days=(30, 7, 1), escalation_months=2)


async def published_document(client: AsyncClient, world: World, **overrides: Any) -> str:
    """A procedure issued as 1.0: owner (RSM) the approver, RO and author the author."""
    document_id = await create_document(client, world, **overrides)
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", b"The procedure.", "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return document_id


async def document_of(client: AsyncClient, world: World, document_id: str) -> dict[str, Any]:
    got = await client.get(f"/v1/documents/{document_id}", headers=world.a.policy_officer.headers)
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()
    data["etag"] = got.headers["ETag"]
    return data


async def last_reviewed_on(world: World, document_id: str) -> date | None:
    # Not (yet) in the document's API shape: read from the register itself.
    async with world.sessionmaker() as session:
        document = await session.get(Document, uuid.UUID(document_id))
        assert document is not None
        return document.last_reviewed_on


async def set_review_due(client: AsyncClient, world: World, document_id: str, due: date) -> None:
    document = await document_of(client, world, document_id)
    changed = await client.patch(
        f"/v1/documents/{document_id}",
        json={"next_review_due": due.isoformat()},
        headers={**world.a.policy_officer.headers, "If-Match": document["etag"]},
    )
    assert changed.status_code == 200, changed.text


async def start(
    client: AsyncClient,
    world: World,
    document_id: str,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> Response:
    return await client.post(
        "/v1/reviews",
        json={"document_id": document_id, "kind": "scheduled", **body},
        headers=headers or world.a.author.headers,
    )


async def started(client: AsyncClient, world: World, document_id: str, **body: Any) -> str:
    response = await start(client, world, document_id, **body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def act(
    client: AsyncClient,
    world: World,
    review_id: str,
    action: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> Response:
    """POST an action on the review with the ETag just read."""
    got = await client.get(f"/v1/reviews/{review_id}", headers=world.a.policy_officer.headers)
    return await client.post(
        f"/v1/reviews/{review_id}/{action}", json=body, headers=with_etag(headers, got)
    )


STATEMENT = {"statement": "The procedure has been reviewed and no changes are required."}


async def audit_actions(client: AsyncClient, world: World, review_id: str) -> list[str]:
    found = await client.get(
        f"/v1/audit?entity_type=review&entity_id={review_id}", headers=world.a.admin.headers
    )
    assert found.status_code == 200, found.text
    return [r["action"] for r in found.json()["items"]]


# --- starting ---------------------------------------------------------------------------------


async def test_starting_a_review_puts_the_published_document_under_review(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    due = (await document_of(client, world, document_id))["next_review_due"]
    assert due is not None

    response = await start(client, world, document_id)

    assert response.status_code == 201, response.text
    review = response.json()
    assert response.headers["Location"] == f"/v1/reviews/{review['id']}"
    assert response.headers["ETag"] == '"r1"'
    assert (review["status"], review["kind"], review["outcome"]) == (
        "in_progress",
        "scheduled",
        None,
    )
    assert (review["due_on"], review["previous_status"]) == (due, "published")
    assert review["started_by_id"] == str(world.a.author.person_id)
    assert (await document_of(client, world, document_id))["status"] == "under_review"
    assert [(e["review_id"], e["kind"]) for e in await events_of(world, "review.started")] == [
        (review["id"], "scheduled")
    ]
    assert await audit_actions(client, world, review["id"]) == ["review.started"]


async def test_an_unscheduled_review_says_what_prompted_it_and_who_asked(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    no_trigger = await start(client, world, document_id, kind="unscheduled")
    assert no_trigger.status_code == 422
    assert no_trigger.json()["invalid_params"][0]["name"] == "trigger"
    unknown = await start(client, world, document_id, kind="unscheduled", trigger="a_whim")
    assert unknown.status_code == 422
    scheduled_with_trigger = await start(client, world, document_id, trigger="confirmed_gap")
    assert scheduled_with_trigger.status_code == 422
    assert "trigger" in scheduled_with_trigger.text

    response = await start(
        client,
        world,
        document_id,
        headers=world.a.policy_officer.headers,
        kind="unscheduled",
        trigger="safeguarding_practice_review",
        trigger_detail="Rapid review of child K: the strategy discussion came too late.",
        requested_by_id=str(world.a.reader.person_id),
    )

    assert response.status_code == 201, response.text
    review = response.json()
    assert (review["trigger"], review["requested_by_id"]) == (
        "safeguarding_practice_review",
        str(world.a.reader.person_id),
    )
    assert review["trigger_detail"].startswith("Rapid review of child K")
    # Whoever asked may follow the review, though they are not named on the document.
    got = await client.get(f"/v1/reviews/{review['id']}", headers=world.a.reader.headers)
    assert got.status_code == 200
    assert got.json()["id"] == review["id"]


async def test_only_the_documents_people_or_the_policy_team_start_a_review(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    assert (await start(client, world, document_id, world.a.reader.headers)).status_code == 403
    # Another organisation's document is like one that does not exist.
    other = await start(client, world, document_id, world.b.admin.headers)
    assert other.status_code == 422
    assert (await document_of(client, world, document_id))["status"] == "published"
    # The owner (RSM) may.
    assert (await start(client, world, document_id, world.a.approver.headers)).status_code == 201


async def test_a_draft_or_a_document_already_under_review_cannot_start_another(
    client: AsyncClient, world: World
) -> None:
    draft_id = await create_document(client, world)
    draft = await start(client, world, draft_id)
    assert draft.status_code == 409
    assert "sign-off" in draft.json()["detail"]
    assert (await document_of(client, world, draft_id))["status"] == "draft"

    document_id = await published_document(client, world)
    await started(client, world, document_id)
    second = await start(client, world, document_id, world.a.policy_officer.headers)
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert "already under review" in second.json()["detail"]
    listed = await client.get(
        f"/v1/reviews?document_id={document_id}", headers=world.a.policy_officer.headers
    )
    assert len(listed.json()["items"]) == 1


# --- no change --------------------------------------------------------------------------------


async def test_no_change_stated_by_the_ro_and_confirmed_by_the_rsm_moves_the_review_date_on(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world, review_interval_months=24)
    today = london_today()
    await set_review_due(client, world, document_id, today + timedelta(days=10))
    review_id = await started(client, world, document_id)
    url = f"/v1/reviews/{review_id}"

    # The RO states it: not the RSM, and not without the ETag.
    owner = await act(client, world, review_id, "no-change", world.a.approver.headers, STATEMENT)
    assert owner.status_code == 403
    blind = await client.post(f"{url}/no-change", json=STATEMENT, headers=world.a.author.headers)
    assert blind.status_code == 428
    stale = await client.post(
        f"{url}/no-change",
        json=STATEMENT,
        headers={**world.a.author.headers, "If-Match": '"r9"'},
    )
    assert stale.status_code == 412
    empty = await act(
        client, world, review_id, "no-change", world.a.author.headers, {"statement": " "}
    )
    assert empty.status_code == 422
    stated = await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    assert stated.status_code == 200, stated.text
    assert (stated.json()["status"], stated.json()["outcome"]) == (
        "awaiting_confirmation",
        "no_change",
    )
    assert stated.json()["statement_by_id"] == str(world.a.author.person_id)
    assert stated.headers["ETag"] == '"r2"'
    again = await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    assert again.status_code == 409

    # The RSM confirms; the RO cannot confirm their own statement.
    by_ro = await act(client, world, review_id, "confirm", world.a.author.headers)
    assert by_ro.status_code == 403
    confirmed = await act(client, world, review_id, "confirm", world.a.approver.headers)

    assert confirmed.status_code == 200, confirmed.text
    review = confirmed.json()
    assert review["status"] == "completed"
    assert review["confirmed_by_id"] == str(world.a.approver.person_id)
    assert review["confirmed_at"] is not None and review["completed_at"] is not None
    document = await document_of(client, world, document_id)
    assert document["status"] == "published"
    assert await last_reviewed_on(world, document_id) == today
    assert document["next_review_due"] == (today + relativedelta(months=24)).isoformat()
    completed = await events_of(world, "review.completed")
    assert [(e["review_id"], e["outcome"], e["next_review_due"]) for e in completed] == [
        (review_id, "no_change", document["next_review_due"])
    ]
    assert [e["review_id"] for e in await events_of(world, "review.no_change_stated")] == [
        review_id
    ]
    assert (
        await act(client, world, review_id, "confirm", world.a.approver.headers)
    ).status_code == 409
    assert await audit_actions(client, world, review_id) == [
        "review.started",
        "review.no_change_stated",
        "review.completed",
    ]


async def test_without_an_interval_the_next_review_is_a_year_on(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world, review_interval_months=None)
    assert (await document_of(client, world, document_id))["review_interval_months"] is None
    review_id = await started(client, world, document_id)
    await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    # The policy team may confirm too.
    confirmed = await act(client, world, review_id, "confirm", world.a.policy_officer.headers)
    assert confirmed.status_code == 200, confirmed.text
    document = await document_of(client, world, document_id)
    assert document["next_review_due"] == (london_today() + relativedelta(months=12)).isoformat()


async def test_the_rsm_may_refuse_a_statement_of_no_change(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    due = (await document_of(client, world, document_id))["next_review_due"]
    review_id = await started(client, world, document_id)
    early = await act(
        client, world, review_id, "refuse-no-change", world.a.approver.headers, {"reasons": "x"}
    )
    assert early.status_code == 409
    await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    by_reader = await act(
        client, world, review_id, "refuse-no-change", world.a.reader.headers, {"reasons": "No."}
    )
    assert by_reader.status_code == 403

    refused = await act(
        client,
        world,
        review_id,
        "refuse-no-change",
        world.a.approver.headers,
        {"reasons": "The 2023 LADO changes are not reflected."},
    )

    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["outcome"]) == ("in_progress", None)
    assert (
        await act(client, world, review_id, "confirm", world.a.approver.headers)
    ).status_code == 409
    document = await document_of(client, world, document_id)
    assert (document["status"], document["next_review_due"]) == ("under_review", due)
    audit = await client.get(
        f"/v1/audit?entity_type=review&entity_id={review_id}", headers=world.a.admin.headers
    )
    last = audit.json()["items"][-1]
    assert last["action"] == "review.no_change_refused"
    assert last["after"]["reasons"] == "The 2023 LADO changes are not reflected."


# --- amended ----------------------------------------------------------------------------------


async def test_an_amended_review_completes_when_its_draft_is_issued(
    client: AsyncClient, world: World
) -> None:
    await create_route(client, world, [person_stage("rsm_approval", "owner")])
    document_id = await published_document(client, world)
    earlier = await upload_draft(client, world, document_id, b"A draft from before.")
    review_id = await started(client, world, document_id)
    issued = (
        await client.get(
            f"/v1/documents/{document_id}/versions/1.0", headers=world.a.author.headers
        )
    ).json()

    assert (
        await act(
            client,
            world,
            review_id,
            "amended",
            world.a.author.headers,
            {"version_id": issued["id"]},
        )
    ).status_code == 422
    before = await act(
        client, world, review_id, "amended", world.a.author.headers, {"version_id": earlier["id"]}
    )
    assert before.status_code == 422
    assert "before the review started" in before.text
    draft = await upload_draft(client, world, document_id, b"The amended procedure.")
    by_reader = await act(
        client, world, review_id, "amended", world.a.reader.headers, {"version_id": draft["id"]}
    )
    assert by_reader.status_code == 403
    amended = await act(
        client, world, review_id, "amended", world.a.author.headers, {"version_id": draft["id"]}
    )
    assert amended.status_code == 200, amended.text
    assert (amended.json()["status"], amended.json()["outcome"]) == ("in_progress", "amended")
    assert amended.json()["amended_version_id"] == draft["id"]
    no_change = await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    assert no_change.status_code == 409

    submitted = await submit(client, world, document_id, draft["id"])
    assert submitted.status_code == 201, submitted.text
    # While the draft is in sign-off the review cannot be cancelled from under it.
    cancel = await act(
        client, world, review_id, "cancel", world.a.policy_officer.headers, {"reason": "x"}
    )
    assert cancel.status_code == 409
    assert (await client.get(f"/v1/reviews/{review_id}", headers=world.a.author.headers)).json()[
        "status"
    ] == "in_progress"
    decided = await decide(client, submitted.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text

    review = (await client.get(f"/v1/reviews/{review_id}", headers=world.a.author.headers)).json()
    assert (review["status"], review["outcome"]) == ("completed", "amended")
    document = await document_of(client, world, document_id)
    today = london_today()
    assert (document["status"], document["issued_version"]) == ("published", "2.0")
    assert await last_reviewed_on(world, document_id) == today
    assert document["next_review_due"] == (today + relativedelta(months=12)).isoformat()
    completed = await events_of(world, "review.completed")
    assert [(e["review_id"], e["outcome"]) for e in completed] == [(review_id, "amended")]
    assert await audit_actions(client, world, review_id) == [
        "review.started",
        "review.amended",
        "review.completed",
    ]


async def test_an_issue_without_an_amended_review_leaves_reviews_alone(
    client: AsyncClient, world: World
) -> None:
    await create_route(client, world, [person_stage("rsm_approval", "owner")])
    document_id = await published_document(client, world)
    review_id = await started(client, world, document_id)
    await act(
        client, world, review_id, "cancel", world.a.author.headers, {"reason": "Started twice"}
    )
    draft = await upload_draft(client, world, document_id)
    submitted = await submit(client, world, document_id, draft["id"])
    assert (await decide(client, submitted.json(), world.a.approver.headers)).status_code == 201
    review = (await client.get(f"/v1/reviews/{review_id}", headers=world.a.author.headers)).json()
    assert (review["status"], review["completed_at"]) == ("cancelled", None)
    assert await events_of(world, "review.completed") == []


# --- cancelling -------------------------------------------------------------------------------


async def test_a_refused_action_releases_its_idempotency_key_for_the_corrected_retry(
    client: AsyncClient, world: World
) -> None:
    # Seen by the fuzzer: the action without If-Match (428) was kept under its key, and the
    # retry with If-Match, the same key and the same body got the stored 428 back.
    document_id = await published_document(client, world)
    review_id = await started(client, world, document_id)
    url = f"/v1/reviews/{review_id}/cancel"
    body = {"reason": "Started twice"}
    headers = {**world.a.author.headers, "Idempotency-Key": "fix-and-retry"}
    refused = await client.post(url, json=body, headers=headers)
    assert refused.status_code == 428
    stale = await client.post(url, json=body, headers={**headers, "If-Match": "00"})
    assert stale.status_code == 412, stale.text
    assert "idempotent-replayed" not in stale.headers
    got = await client.get(f"/v1/reviews/{review_id}", headers=world.a.policy_officer.headers)
    done = await client.post(url, json=body, headers=with_etag(headers, got))
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = await client.post(url, json=body, headers=with_etag(headers, got))
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"


async def test_cancelling_puts_the_document_back_and_frees_it_for_a_new_review(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    review_id = await started(client, world, document_id)
    by_owner = await act(
        client, world, review_id, "cancel", world.a.approver.headers, {"reason": "Not needed"}
    )
    assert by_owner.status_code == 403  # neither the starter nor the policy team
    no_reason = await act(
        client, world, review_id, "cancel", world.a.author.headers, {"reason": ""}
    )
    assert no_reason.status_code == 422

    cancelled = await act(
        client, world, review_id, "cancel", world.a.author.headers, {"reason": "Started twice"}
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    document = await document_of(client, world, document_id)
    assert document["status"] == "published"
    assert await last_reviewed_on(world, document_id) is None
    again = await act(
        client, world, review_id, "cancel", world.a.policy_officer.headers, {"reason": "x"}
    )
    assert again.status_code == 409
    # The policy team cancels a review someone else started.
    second = await started(client, world, document_id)
    by_team = await act(
        client, world, second, "cancel", world.a.policy_officer.headers, {"reason": "Merged"}
    )
    assert by_team.status_code == 200, by_team.text
    audit = await client.get(
        f"/v1/audit?entity_type=review&entity_id={review_id}", headers=world.a.admin.headers
    )
    assert audit.json()["items"][-1]["action"] == "review.cancelled"
    assert audit.json()["items"][-1]["after"]["reason"] == "Started twice"


# --- reading ----------------------------------------------------------------------------------


async def test_reviews_are_listed_by_document_status_kind_and_openness_to_those_involved(
    client: AsyncClient, world: World
) -> None:
    first = await published_document(client, world)
    second = await published_document(client, world)
    done = await started(client, world, first)
    await act(client, world, done, "cancel", world.a.author.headers, {"reason": "Restart"})
    open_ = await started(
        client,
        world,
        second,
        kind="unscheduled",
        trigger="inspection_advice",
        requested_by_id=str(world.a.reader.person_id),
    )
    officer = world.a.policy_officer.headers

    async def ids(query: str, headers: dict[str, str] = officer) -> list[str]:
        found = await client.get(f"/v1/reviews{query}", headers=headers)
        assert found.status_code == 200, found.text
        return [r["id"] for r in found.json()["items"]]

    assert await ids("") == [done, open_]
    assert await ids(f"?document_id={first}") == [done]
    assert await ids("?status=cancelled") == [done]
    assert await ids("?kind=unscheduled") == [open_]
    assert await ids("?open=true") == [open_]
    assert await ids("?open=false") == [done]
    # The reader asked for the second review: they see that one only; B sees nothing.
    assert await ids("", world.a.reader.headers) == [open_]
    assert await ids("", world.b.admin.headers) == []
    # A review one may not see answers like one that does not exist.
    hidden = await client.get(f"/v1/reviews/{done}", headers=world.a.reader.headers)
    assert hidden.status_code == 404
    page = await client.get("/v1/reviews?limit=1", headers=officer)
    assert [r["id"] for r in page.json()["items"]] == [done]
    rest = await client.get(
        f"/v1/reviews?limit=1&cursor={page.json()['next_cursor']}", headers=officer
    )
    assert ([r["id"] for r in rest.json()["items"]], rest.json()["next_cursor"]) == ([open_], None)
    wrong = await client.get(
        f"/v1/reviews?limit=1&status=completed&cursor={page.json()['next_cursor']}",
        headers=officer,
    )
    assert wrong.status_code == 400


# --- impact -----------------------------------------------------------------------------------


async def test_impact_lists_linked_tagged_and_same_area_documents_and_the_ro_adds_them(
    client: AsyncClient, world: World
) -> None:
    area = {"service_area": "Fostering"}
    reviewed = await published_document(client, world, tags=["lado", "allegations"], **area)
    ref = (await document_of(client, world, reviewed))["reference"]
    policy = await published_document(client, world, kind="policy", tags=[], service_area="HR")
    form = await create_document(client, world, kind="form", tags=[], service_area="Forms")
    tagged = await published_document(client, world, tags=["lado"], service_area="Adoption")
    same_area = await published_document(client, world, tags=["other"], **area)
    retired = await published_document(client, world, tags=["lado"], **area)
    loose = await published_document(client, world, tags=[], service_area="Youth justice")
    h = world.a.policy_officer.headers
    for source, target, kind in (
        (policy, reviewed, "governs"),
        (form, reviewed, "form_for"),
        (reviewed, loose, "relates_to"),
    ):
        linked = await client.post(
            f"/v1/documents/{source}/links", json={"target_id": target, "kind": kind}, headers=h
        )
        assert linked.status_code == 201, linked.text
    document = await document_of(client, world, retired)
    await client.patch(
        f"/v1/documents/{retired}",
        json={"status": "retired"},
        headers={**h, "If-Match": document["etag"]},
    )
    review_id = await started(client, world, reviewed)

    impact = await client.get(f"/v1/reviews/{review_id}/impact", headers=world.a.author.headers)

    assert impact.status_code == 200, impact.text
    found = {d["document_id"]: d["reasons"] for d in impact.json()}
    policy_ref = (await document_of(client, world, policy))["reference"]
    form_ref = (await document_of(client, world, form))["reference"]
    assert found == {
        policy: [f"it governs {ref}"],
        form: [f"it is a form for {ref}"],
        tagged: ["shares the tag 'lado'"],
        same_area: ["same service area: Fostering"],
    }
    assert [d["document_id"] for d in impact.json()][:2] == sorted(
        [policy, form], key=lambda i: policy_ref if i == policy else form_ref
    )

    url = f"/v1/reviews/{review_id}/documents"
    by_reader = await client.post(
        url, json={"documents": [{"document_id": tagged}]}, headers=world.a.reader.headers
    )
    assert by_reader.status_code == 403
    no_reason = await client.post(
        url, json={"documents": [{"document_id": loose}]}, headers=world.a.author.headers
    )
    assert no_reason.status_code == 422
    itself = await client.post(
        url,
        json={"documents": [{"document_id": reviewed, "reason": "x"}]},
        headers=world.a.author.headers,
    )
    assert itself.status_code == 422
    added = await client.post(
        url,
        json={
            "documents": [
                {"document_id": tagged},
                {"document_id": loose, "reason": "Uses the same LADO referral form."},
            ]
        },
        headers=world.a.author.headers,
    )
    assert added.status_code == 201, added.text
    assert [(d["document_id"], d["reason"]) for d in added.json()] == [
        (tagged, "shares the tag 'lado'"),
        (loose, "Uses the same LADO referral form."),
    ]
    twice = await client.post(
        url, json={"documents": [{"document_id": tagged}]}, headers=world.a.author.headers
    )
    assert twice.status_code == 409
    listed = await client.get(url, headers=world.a.approver.headers)
    assert [d["document_id"] for d in listed.json()] == [tagged, loose]
    after = await client.get(f"/v1/reviews/{review_id}/impact", headers=world.a.author.headers)
    assert {d["document_id"] for d in after.json()} == {policy, form, same_area}
    assert (await audit_actions(client, world, review_id))[-1] == "review.documents_added"


# --- who is told, and reminders that stop --------------------------------------------------------


async def relay(world: World) -> None:
    while await relay_once(world.sessionmaker, RecordingTransport()):
        pass


async def notices(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())


async def still_true(world: World, notification: Notification) -> bool:
    async with world.sessionmaker() as session:
        row = await session.get(Notification, notification.id)
        assert row is not None
        return await is_still_true(session, row)


async def test_the_rsm_is_asked_to_confirm_and_the_policy_officer_and_requester_are_told(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    review_id = await started(
        client,
        world,
        document_id,
        kind="unscheduled",
        trigger="case_audit_recommendation",
        requested_by_id=str(world.a.reader.person_id),
    )
    await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    await relay(world)
    asked = await notices(world, "review.no_change_to_confirm")
    assert [n.recipient_email for n in asked] == [world.a.approver.email]
    assert asked[0].context["statement"] == STATEMENT["statement"]
    assert asked[0].context["review_path"] == f"/v1/reviews/{review_id}"
    assert await still_true(world, asked[0])
    assert await notices(world, "review.no_change_confirmed") == []

    await act(client, world, review_id, "confirm", world.a.approver.headers)
    await relay(world)

    # Once confirmed, the request to confirm is void if it has not gone yet.
    assert not await still_true(world, asked[0])
    told = await notices(world, "review.no_change_confirmed")
    assert sorted(n.recipient_email for n in told) == sorted(
        [world.a.policy_officer.email, world.a.reader.email]
    )
    requester = next(n for n in told if n.recipient_email == world.a.reader.email)
    assert requester.context["is_requester"] is True
    assert requester.context["trigger"] == "case_audit_recommendation"
    document = await document_of(client, world, document_id)
    assert requester.context["next_review_due"] == document["next_review_due"]
    assert all([await still_true(world, n) for n in told])


async def test_a_document_reviewed_with_no_change_stops_its_reminders(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    today = london_today()
    await set_review_due(client, world, document_id, today + timedelta(days=5))
    async with world.sessionmaker() as session, session.begin():
        planned = await plan_review_notices(session, today, RULES)
    reminders = await notices(world, "review.due_soon")
    assert len(planned.notifications) == 2  # the RO and the owner (RSM)
    assert sorted(n.recipient_email for n in reminders) == sorted(
        [world.a.author.email, world.a.approver.email]
    )
    assert all([await still_true(world, n) for n in reminders])

    review_id = await started(client, world, document_id)
    # Under review, the date has not moved: the reminder still holds.
    assert await still_true(world, reminders[0])
    await act(client, world, review_id, "no-change", world.a.author.headers, STATEMENT)
    confirmed = await act(client, world, review_id, "confirm", world.a.approver.headers)
    assert confirmed.status_code == 200, confirmed.text

    assert not any([await still_true(world, n) for n in reminders])
    async with world.sessionmaker() as session, session.begin():
        again = await plan_review_notices(session, today, RULES)
    assert again.notifications == []
    assert len(await notices(world, "review.due_soon")) == 2


def test_the_review_enumerations_are_the_domains() -> None:
    from typing import get_args

    from services.api.reviews import schemas
    from services.domain.models import reviews as models

    assert get_args(schemas.ReviewKind) == models.REVIEW_KINDS
    assert get_args(schemas.ReviewStatus) == models.REVIEW_STATUSES
    assert get_args(schemas.ReviewOutcome) == models.REVIEW_OUTCOMES
    assert get_args(schemas.Trigger) == models.TRIGGERS


async def test_refused_ratification_reopens_the_review_its_interim_issue_completed(
    client: AsyncClient, world: World
) -> None:
    await create_route(
        client,
        world,
        [
            person_stage("rsm_approval", "owner"),
            person_stage("ratify", "owner", purpose="ratification", after_issue=True),
        ],
    )
    document_id = await published_document(client, world)
    overdue = london_today() - timedelta(days=10)
    await set_review_due(client, world, document_id, overdue)
    review_id = await started(client, world, document_id)
    draft = await upload_draft(client, world, document_id, b"The amended procedure.")
    amended = await act(
        client, world, review_id, "amended", world.a.author.headers, {"version_id": draft["id"]}
    )
    assert amended.status_code == 200, amended.text
    submitted = await submit(client, world, document_id, draft["id"])
    assert submitted.status_code == 201, submitted.text
    issued = await decide(client, submitted.json(), world.a.approver.headers)
    assert issued.json()["status"] == "issued"
    review = (await client.get(f"/v1/reviews/{review_id}", headers=world.a.author.headers)).json()
    assert review["status"] == "completed"
    assert await last_reviewed_on(world, document_id) == london_today()

    refused = await decide(
        client, submitted.json(), world.a.approver.headers, "rejected", reasons="Not this draft."
    )
    assert refused.json()["status"] == "ratification_refused"
    # The review is not done after all: 1.0 is in force and the document under review again,
    # still overdue, as before the interim issue.
    review = (await client.get(f"/v1/reviews/{review_id}", headers=world.a.author.headers)).json()
    assert (review["status"], review["outcome"]) == ("in_progress", "amended")
    document = await document_of(client, world, document_id)
    assert (document["status"], document["issued_version"]) == ("under_review", "1.0")
    assert document["next_review_due"] == overdue.isoformat()
    assert await last_reviewed_on(world, document_id) is None
    assert await audit_actions(client, world, review_id) == [
        "review.started",
        "review.amended",
        "review.completed",
        "review.reopened",
    ]
