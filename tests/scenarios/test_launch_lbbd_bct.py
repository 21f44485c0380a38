"""Launch and cascade, LBBD and Birmingham, through the HTTP API on the seeded organisations.

LBBD, Policy and Procedure Development Process (seed 000), stage 10:

    "Upload the approved policy/procedure to TRI-X.
    Cascade the newly approved policy/procedure by asking Team and/or Service Managers to
    discuss this with staff in team meetings and service meetings and via the ASC newsletter."

Birmingham Children's Trust (seed 001), 11:

    "Once finally signed off, documents will be given version numbers, dated and uploaded onto
    Trix/ intranet by the Practice Hub. Unless a specific launch is planned, updates will be
    communicated via the 'news' section of Trix and the weekly email communication."
"""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.models.notifications import Notification
from services.notifier.staff_sweeps import sweep_launch
from tests.notifier.conftest import RecordingTransport
from tests.scenarios.launch_support import next_weekday, register_issue
from tests.scenarios.seeded import document_by_reference, get_json, seed

ATOM = "{http://www.w3.org/2005/Atom}"


async def _notified(
    sessionmaker: async_sessionmaker[AsyncSession], kind: str
) -> list[Notification]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Notification).where(Notification.kind == kind).order_by(Notification.dedupe_key)
        )
        return list(rows.scalars())


async def test_lbbd_cascades_through_team_and_service_meetings_and_the_asc_newsletter(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lbbd = await seed(
        sessionmaker,
        "lbbd",
        {
            "priya": "policy_officer",  # Policy and Procedure Officer
            "grace": "reader",  # Team Manager, Locality Social Work
            "ryan": "reader",  # Service Manager, Carers and Direct Payments
            "tomasz": "reader",  # Senior Social Worker
        },
    )
    officer = lbbd.headers("priya")
    carers = await document_by_reference(client, officer, "PROC-004")  # drafts 0.1 and 0.2
    url = f"/v1/documents/{carers['id']}/versions/0.2/communication-plan"
    soon = london_today() + timedelta(days=3)
    # "asking Team and/or Service Managers to discuss this with staff in team meetings and
    # service meetings"
    meetings = await client.post(
        url,
        json={
            "audience": "Team and Service Managers, to discuss with staff",
            "channel": "team_meetings",
            "planned_on": soon.isoformat(),
            "service_areas": ["Adult Social Care"],
            "owner_id": lbbd.id("ryan"),
        },
        headers=officer,
    )
    assert meetings.status_code == 201, meetings.text
    # "and via the ASC newsletter"
    newsletter = await client.post(
        url,
        json={
            "audience": "All Adult Social Care staff",
            "channel": "newsletter",
            "channel_name": "ASC newsletter",
            "planned_on": soon.isoformat(),
        },
        headers=officer,
    )
    assert newsletter.status_code == 201, newsletter.text

    # "Upload the approved policy/procedure to TRI-X": the plan goes with the issue.
    issued = await register_issue(client, officer, carers["id"], "Carers' assessments: 28 days.")
    plan = await get_json(
        client,
        f"/v1/documents/{carers['id']}/versions/{issued['number']}/communication-plan",
        lbbd.headers("tomasz"),  # staff see the issue's plan
    )
    assert [(i["channel"], i["channel_name"]) for i in plan["items"]] == [
        ("team_meetings", ""),
        ("newsletter", "ASC newsletter"),
    ]
    # The Service Manager it names says the meetings were held; nobody else named on nothing.
    sent = await client.post(
        f"/v1/communication-plan-items/{meetings.json()['id']}/sent",
        json={"note": "Discussed at the Carers team meeting and the service meeting."},
        headers=lbbd.headers("ryan"),
    )
    assert sent.status_code == 200, sent.text
    refused = await client.post(
        f"/v1/communication-plan-items/{newsletter.json()['id']}/sent",
        json={},
        headers=lbbd.headers("tomasz"),
    )
    assert refused.status_code == 403, refused.text

    # The newsletter's day passes unsent: its owner, the officer, is reminded once.
    transport = RecordingTransport()
    after = soon + timedelta(days=1)
    await sweep_launch(sessionmaker, transport, after)
    await sweep_launch(sessionmaker, transport, after + timedelta(days=1))
    reminders = [
        n
        for n in await _notified(sessionmaker, "communication_plan.overdue")
        if n.context["audience"] == "All Adult Social Care staff"
    ]
    assert [n.recipient_person_id for n in reminders] == [lbbd.people["priya"]]
    assert reminders[0].context["channel"] == "ASC newsletter (newsletter)"
    timeline = await get_json(client, f"/v1/documents/{carers['id']}/timeline", officer)
    kinds = [e["type"] for e in timeline["entries"] if e["type"].startswith("communication")]
    assert kinds.count("communication_plan.item_sent") == 1


async def test_birmingham_announces_changes_in_trix_news_and_the_weekly_email(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    bct = await seed(
        sessionmaker,
        "bct",
        {
            "owen": "policy_officer",  # Practice Hub Policy Officer
            "beth": "reader",  # Team Manager, Children in Need: subscribed to her area
            "kieran": "author",  # Head of Service, Disabled Children's Social Care
        },
    )
    hub = bct.headers("owen")
    # The 'news' section of Trix reads the feed's address; no API key goes with it.
    feed_url = (await get_json(client, "/v1/news/feed?service_area=Children in Need", hub))["url"]
    cin = await document_by_reference(client, hub, "PROC-001")  # Children in Need Procedure
    await register_issue(client, hub, cin["id"], "Visits to children in need every 20 days.")

    news = await client.get(feed_url.removeprefix("http://testserver"))
    assert news.status_code == 200, news.text
    feed = ET.fromstring(news.content)
    newest = feed.findall(f"{ATOM}entry")[0]
    assert newest.findtext(f"{ATOM}title") == (
        "Changed: PROC-001 Children in Need Procedure (version 2.0)"
    )
    assert newest.findtext(f"{ATOM}summary") == "Visits to children in need every 20 days."

    # "the weekly email communication": on Monday, one digest to each subscriber with news.
    transport = RecordingTransport()
    monday = next_weekday(0)
    await sweep_launch(sessionmaker, transport, monday)
    await sweep_launch(sessionmaker, transport, monday)  # once a week, however often it runs
    digests = {n.recipient_person_id: n for n in await _notified(sessionmaker, "news.digest")}
    assert bct.people["beth"] in digests
    listed = [(e["reference"], e["change"]) for e in digests[bct.people["beth"]].context["entries"]]
    assert ("PROC-001", "changed") in listed
    # Beth chose Children in Need: nothing of Disabled Children reaches her.
    assert all(
        e["service_area"] == "Children in Need"
        for e in digests[bct.people["beth"]].context["entries"]
    )
    # Kieran subscribed to nothing: no digest.
    assert bct.people["kieran"] not in digests
