"""Launch and cascade, Cafcass and Dorset, through the HTTP API on the seeded organisations.

Cafcass Policy Development Framework (seed 002), appendix 1 and 7.1:

    "Submit final draft to ECMT: The final draft version is submitted to ECMT with a full
    communications plan and where necessary make a recommendation that it be submitted to the
    Board for approval."
    "7.1 Step 8 - Communicating the Policy launch - The Policy Sponsor should inform Regional
    Directors and Service Managers (in the case of Service Managers this will usually be through
    an email or an earlier viewing of 'Channel C') of the new policy in preparation for its
    implementation. In addition to local arrangements for implementing a policy nationally all
    staff will be made aware of the launch of a new policy through an article in Channel C/the
    Internet and the OPC."

Dorset Council Children's Services (seed 004), 5.2:

    "The details of approved documents will be communicated each month by the Chair via the
    Quality Assurance Newsletter and the Procedures, Guidance and Standards page on the
    Children's Services Hub. Individual items will also be publicised via the Workforce Wordout
    and Employee Voice Group as appropriate."
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.models.notifications import Notification
from services.notifier.staff_sweeps import sweep_launch
from tests.notifier.conftest import RecordingTransport
from tests.scenarios.launch_support import first_weekday_of_next_month, register_issue
from tests.scenarios.seeded import (
    document_by_reference,
    get_json,
    register_document,
    seed,
    upload_draft,
)

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_cafcass_sends_the_final_draft_to_ecmt_with_its_communications_plan(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cafcass = await seed(
        sessionmaker,
        "cafcass",
        {
            "ifeoma": "policy_officer",  # National Policy Manager
            "harriet": "author",  # Policy Author
            "gareth": "reader",  # Head of Communications
            "sunita": "reader",  # Head of Profession
        },
    )
    team, author = cafcass.headers("ifeoma"), cafcass.headers("harriet")
    # POL-002's final draft 0.2 carries the plan the demo wrote with it: the gate is met.
    consultation_policy = await document_by_reference(client, team, "POL-002")
    readiness = await get_json(
        client, f"/v1/sign-offs/readiness?document_id={consultation_policy['id']}", team
    )
    gates = {g["gate"]: g for g in readiness["gates"]}
    assert gates["communication_plan_ready"]["is_met"] is True
    plan = await get_json(
        client, f"/v1/documents/{consultation_policy['id']}/versions/0.2/communication-plan", team
    )
    # "The Policy Sponsor should inform Regional Directors and Service Managers [...] through
    # an email"; "an article in Channel C/the Internet and the OPC".
    assert [(i["channel"], i["channel_name"]) for i in plan["items"]] == [
        ("email", ""),
        ("newsletter", "Channel C"),
        ("intranet_news", ""),
    ]
    assert plan["items"][0]["owner_id"] == cafcass.id("catherine")  # the Policy Sponsor

    # A new policy's final draft without a plan is not ready for ECMT.
    policy = await register_document(
        client,
        team,
        reference="POL-011",
        title="Remote Working Policy",
        kind="policy",
        service_area="Corporate",
        owner_id=cafcass.id("catherine"),
        author_id=cafcass.id("harriet"),
    )
    await upload_draft(client, author, policy["id"], "# Remote working\nWhere staff work.")
    readiness = await get_json(
        client, f"/v1/sign-offs/readiness?document_id={policy['id']}", author
    )
    missing = {m["gate"]: m["detail"] for m in readiness["missing_gates"]}
    assert "ECMT" in missing["communication_plan_ready"]
    added = await client.post(
        f"/v1/documents/{policy['id']}/versions/0.1/communication-plan",
        json={
            "audience": "All staff",
            "channel": "newsletter",
            "channel_name": "Channel C",
            "planned_on": "2027-03-01",
            "owner_id": cafcass.id("gareth"),
        },
        headers=author,
    )
    assert added.status_code == 201, added.text
    readiness = await get_json(
        client, f"/v1/sign-offs/readiness?document_id={policy['id']}", author
    )
    assert "communication_plan_ready" not in {m["gate"] for m in readiness["missing_gates"]}

    # The Head of Communications, named to send the Channel C article, says it went; another
    # member of staff sees no draft's plan.
    article = added.json()["id"]
    other = await client.post(
        f"/v1/communication-plan-items/{article}/sent", json={}, headers=cafcass.headers("sunita")
    )
    assert other.status_code == 404, other.text
    sent = await client.post(
        f"/v1/communication-plan-items/{article}/sent",
        json={"note": "Channel C, the launch issue."},
        headers=cafcass.headers("gareth"),
    )
    assert sent.status_code == 200, sent.text


async def test_dorset_communicates_approved_documents_each_month_and_on_the_hub(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, Chair of the PPP Group
            "louise": "reader",  # Quality Assurance Manager: every approved document
            "stuart": "author",  # Head of Locality: Early Help and Children in Care only
        },
    )
    chair = dorset.headers("nicola")
    organisation = await get_json(client, "/v1/organisation", chair)
    assert organisation["digest_frequency"] == "monthly"
    fostering = await document_by_reference(client, chair, "PROC-003")
    await register_issue(client, chair, fostering["id"], "Supervision of foster carers monthly.")

    # "the Procedures, Guidance and Standards page on the Children's Services Hub": the Hub
    # page reads the feed of procedures.
    hub = (await get_json(client, "/v1/news/feed?kind=procedure", chair))["url"]
    read = await client.get(hub.removeprefix("http://testserver"))
    assert read.status_code == 200, read.text
    entries = ET.fromstring(read.content).findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}title") == (
        "Issued: PROC-003 Supervision and Support of Foster Carers Procedure (version 1.0)"
    )

    # What the Chair's newsletter will say this month, before it goes.
    preview = await get_json(client, "/v1/news/digest-preview", chair)
    assert preview["frequency"] == "monthly" and preview["would_send"] is True
    assert "PROC-003" in {e["reference"] for e in preview["entries"]}

    # "communicated each month": on the first Monday of next month, once.
    transport = RecordingTransport()
    day = first_weekday_of_next_month(0)
    await sweep_launch(sessionmaker, transport, day)
    await sweep_launch(sessionmaker, transport, day)
    async with sessionmaker() as session:
        rows = await session.execute(select(Notification).where(Notification.kind == "news.digest"))
        digests = {n.recipient_person_id: n for n in rows.scalars()}
    louise = {e["reference"] for e in digests[dorset.people["louise"]].context["entries"]}
    assert "PROC-003" in louise
    # Stuart chose Early Help and Children in Care: fostering is not his.
    stuart = digests.get(dorset.people["stuart"])
    assert stuart is None or "PROC-003" not in {e["reference"] for e in stuart.context["entries"]}
    assert digests[dorset.people["louise"]].dedupe_key.startswith("digest:monthly:")
