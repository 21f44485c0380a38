"""Review extensions and the emails: the owner is asked (the policy team when the owner is the
one asking), the requester told; the review reminders follow the agreed date; a document
retired with a request pending lapses it."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient

from services.domain.notifications.review_schedule import plan_review_notices
from tests.api.review_extensions_support import act, asked, day, tracker_row
from tests.api.test_reviews import (
    RULES,
    STATEMENT,
    document_of,
    notices,
    published_document,
    relay,
    set_review_due,
    started,
    still_true,
)
from tests.api.test_reviews import act as act_on_review
from tests.factories import World


async def test_the_review_reminders_follow_the_agreed_date_and_the_old_ones_are_void(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    await set_review_due(client, world, document_id, day(5))
    async with world.sessionmaker() as session, session.begin():
        await plan_review_notices(session, day(0), RULES)
    old = await notices(world, "review.due_soon")
    assert [n.context["due_date"] for n in old] == [day(5).isoformat()] * 2
    assert all([await still_true(world, n) for n in old])

    made = await asked(client, world, document_id, day(50))
    assert (await act(client, made, "agree", world.a.approver.headers)).status_code == 200

    # The reminders planned for the old date are void if they have not gone yet.
    assert not any([await still_true(world, n) for n in old])
    async with world.sessionmaker() as session, session.begin():
        again = await plan_review_notices(session, day(0), RULES)
    assert again.notifications == []  # 50 days away: nothing is due soon today
    async with world.sessionmaker() as session, session.begin():
        later = await plan_review_notices(session, day(21), RULES)
    assert len(later.notifications) == 2  # the RO and the owner, 29 days before the new date
    old_ids = {n.id for n in old}
    new = [n for n in await notices(world, "review.due_soon") if n.id not in old_ids]
    assert {n.context["due_date"] for n in new} == {day(50).isoformat()}
    assert all([await still_true(world, n) for n in new])


async def test_the_owner_is_asked_to_decide_and_the_requester_is_told_the_decision(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    made = await asked(client, world, document_id, day(400))
    await relay(world)
    [asking] = await notices(world, "review_extension.requested")
    assert asking.recipient_email == world.a.approver.email
    assert asking.context["review_extension_path"] == f"/v1/review-extensions/{made['id']}"
    assert asking.context["requested_due"] == day(400).isoformat()
    assert await still_true(world, asking)

    refused = await act(
        client, made, "refuse", world.a.approver.headers, {"note": "Review it on time."}
    )
    assert refused.status_code == 200, refused.text
    await relay(world)
    assert not await still_true(world, asking)
    [told] = await notices(world, "review_extension.decided")
    # The requester; the owner decided it, and is not told their own decision.
    assert told.recipient_email == world.a.author.email
    assert (told.context["status"], told.context["decision_note"]) == (
        "refused",
        "Review it on time.",
    )


async def test_an_owner_standing_in_as_ro_asks_the_policy_team(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world, responsible_officer_id=None)
    await asked(client, world, document_id, day(400), headers=world.a.approver.headers)
    await relay(world)
    asked_of = [n.recipient_email for n in await notices(world, "review_extension.requested")]
    assert asked_of == [world.a.policy_officer.email]


async def test_retiring_the_document_lapses_its_pending_request_and_tells_the_requester(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    document = await document_of(client, world, document_id)
    due = document["next_review_due"]
    made = await asked(client, world, document_id, day(0) + relativedelta(days=400))
    retired = await client.patch(
        f"/v1/documents/{document_id}",
        json={"status": "retired"},
        headers={**world.a.policy_officer.headers, "If-Match": document["etag"]},
    )
    assert retired.status_code == 200, retired.text
    got = await client.get(f"/v1/review-extensions/{made['id']}", headers=world.a.author.headers)
    assert got.json()["status"] == "lapsed"
    assert due in got.json()["end_reason"] and "retired" in got.json()["end_reason"]
    await relay(world)
    [told] = await notices(world, "review_extension.ended")
    assert told.recipient_email == world.a.author.email


async def test_a_review_completed_after_an_extension_starts_a_new_period(
    client: AsyncClient, world: World
) -> None:
    # NCT 3.4(b)(iii): no change needed, confirmed by the RSM: the next review is a year on,
    # counted from the review, and no longer an extended one.
    document_id = await published_document(client, world)
    await set_review_due(client, world, document_id, day(10))
    made = await asked(client, world, document_id, day(40))
    assert (await act(client, made, "agree", world.a.approver.headers)).status_code == 200
    assert (await tracker_row(client, world, document_id))["is_extended"] is True

    review_id = await started(client, world, document_id)
    stated = await act_on_review(
        client, world, review_id, "no-change", world.a.author.headers, STATEMENT
    )
    assert stated.status_code == 200, stated.text
    confirmed = await act_on_review(client, world, review_id, "confirm", world.a.approver.headers)
    assert confirmed.status_code == 200, confirmed.text

    row = await tracker_row(client, world, document_id)
    assert row["next_review_due"] != day(40).isoformat()
    assert (row["is_extended"], row["original_review_due"], row["times_extended"]) == (
        False,
        None,
        0,
    )
    # A new period: its first extension counts from the new date.
    again = await asked(client, world, document_id, day(0) + relativedelta(months=13))
    assert (again["sequence"], again["original_due"]) == (1, row["next_review_due"])
