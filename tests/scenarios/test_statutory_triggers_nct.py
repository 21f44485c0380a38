"""NCT, unscheduled reviews: "Unscheduled reviews can be prompted by the following; ...
Change in legislation or statutory guidance" and "Consideration should be made to the fact a
change ... can impact multiple procedures. Every effort should be made to identify all
relevant procedures to ensure any amendments are consistent throughout the Manual."

The seeded trust has Working Together to Safeguard Children 2023 linked to its Section 47
Enquiries procedure (already under review), Strategy Discussions (published) and Contacts and
Referrals (its new version awaiting approval). Andrea, the Policy and Procedures Officer,
records the new edition's change once: Strategy Discussions gets an unscheduled review with
that trigger, the Section 47 review keeps going with the change added, Contacts and Referrals
is listed for its amendment to take in; the impact report says so, and each RSM and RO gets
one email with their own procedures. Zoe, a practitioner, may read the report, not record.
"""

from __future__ import annotations

import csv
import io
import uuid

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.models.notifications import Notification
from services.domain.models.reviews import Review
from services.notifier.relay import relay_once
from tests.notifier.conftest import RecordingTransport
from tests.scenarios.seeded import seed

WORKING_TOGETHER = "Working Together to Safeguard Children 2023"


async def test_a_change_in_statutory_guidance_reviews_every_procedure_that_depends_on_it(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(sessionmaker, "nct", {"andrea": "policy_officer", "zoe": "reader"})
    sources = await client.get(
        "/v1/statutory-sources?kind=statutory_guidance", headers=nct.headers("zoe")
    )
    [source] = [s for s in sources.json()["items"] if s["title"] == WORKING_TOGETHER]
    linked = await client.get(
        f"/v1/statutory-sources/{source['id']}/documents", headers=nct.headers("zoe")
    )
    by_reference = {d["reference"]: d for d in linked.json()["items"]}
    assert set(by_reference) == {"PROC-001", "PROC-002", "PROC-004"}

    change = {
        "summary": "Chapter 4 revised: strategy discussions to include education settings.",
        "effective_on": "2027-02-01",
    }
    refused = await client.post(
        f"/v1/statutory-sources/{source['id']}/changes", json=change, headers=nct.headers("zoe")
    )
    assert refused.status_code == 403
    recorded = await client.post(
        f"/v1/statutory-sources/{source['id']}/changes", json=change, headers=nct.headers("andrea")
    )
    assert recorded.status_code == 201, recorded.text
    report = recorded.json()
    outcomes = {d["reference"]: d["outcome"] for d in report["documents"]}
    assert outcomes == {
        "PROC-001": "already_under_review",
        "PROC-002": "review_opened",
        "PROC-004": "being_amended",
    }
    assert report["counts"]["documents"] == 3

    strategy = by_reference["PROC-002"]["document_id"]
    async with sessionmaker() as session:
        [review] = (
            await session.execute(select(Review).where(Review.document_id == uuid.UUID(strategy)))
        ).scalars()
    assert (review.kind, review.trigger) == ("unscheduled", "legislation_or_guidance_change")
    assert WORKING_TOGETHER in review.trigger_detail
    # Who prompted it is told if it ends with no change (NCT 3.4(c)(iv)).
    assert review.requested_by_id == nct.people["andrea"]

    as_csv = await client.get(
        f"/v1/statutory-source-changes/{report['change']['id']}/impact.csv",
        headers=nct.headers("zoe"),
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    assert [(r["reference"], r["outcome"]) for r in rows] == [
        ("PROC-001", "already_under_review"),
        ("PROC-002", "review_opened"),
        ("PROC-004", "being_amended"),
    ]

    while await relay_once(sessionmaker, RecordingTransport()):
        pass
    async with sessionmaker() as session:
        emails = (
            await session.execute(
                select(Notification).where(
                    Notification.kind == "statutory_source.changed",
                    Notification.organisation_id == nct.organisation_id,
                )
            )
        ).scalars()
        told = {
            n.recipient_email.split("@")[0]: sorted(e["reference"] for e in n.context["entries"])
            for n in emails
        }
    # Rebecca is RSM of both child protection procedures: one email for the two.
    assert told == {
        "rebecca.lyle": ["PROC-001", "PROC-002"],
        "laura.bettridge": ["PROC-001"],
        "imran.sheikh": ["PROC-004"],
        "chloe.barraclough": ["PROC-004"],
    }
