"""Read and acknowledge (issue 19 item 1): every seed asks that staff know, and follow, what is
issued. Through the HTTP API on each seeded organisation.

- LBBD stage 10: "Cascade the newly approved policy/procedure by asking Team and/or Service
  Managers to discuss this with staff in team meetings and service meetings and via the ASC
  newsletter."
- Birmingham: "Once finally signed off, documents will be given version numbers, dated and
  uploaded onto Trix/ intranet by the Practice Hub. Unless a specific launch is planned,
  updates will be communicated via the 'news' section of Trix and the weekly email
  communication."
- Cafcass 7.1: "all staff will be made aware of the launch of a new policy through an article
  in Channel C/the Internet and the OPC"; 6.1: "Once a policy has been formally 'signed off'
  and launched, it must be adhered to".
- NCT 2.2.4 (and 2.3.5 for RSMs): "Act as an NCT Procedures Manual Champion in their
  respective areas. Ensure all staff they are responsible for know how to access and use the
  Manual".
- Dorset 7.4: "Attendees are expected to read the documents prior to the meeting date to
  ensure effective sign off."; aim xi: "Develop systems for monitoring the use of approved
  documents to provide CSLT with assurance that governance is effective."
"""

from __future__ import annotations

import csv
import io

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.settings import Settings
from tests.api.acknowledgements_support import token_of
from tests.scenarios.acknowledgement_steps import (
    asked_people,
    confirm_mine,
    issue_whole_version,
    open_ask,
)
from tests.scenarios.seeded import board_id, document_by_reference, get_json, seed

Sessionmaker = async_sessionmaker[AsyncSession]


async def test_cafcass_staff_are_asked_to_read_a_new_whole_version_when_it_is_launched(
    client: AsyncClient, sessionmaker: Sessionmaker, settings: Settings
) -> None:
    """Cafcass 7.1: "all staff will be made aware of the launch of a new policy"; 6.1: once
    launched "it must be adhered to". The Safeguarding Policy asks Operations, Cafcass Legal
    and the CMT; a new whole version asks them again by itself, and what they confirmed of
    the last one does not count for the new one."""
    cafcass = await seed(
        sessionmaker,
        "cafcass",
        {"ifeoma": "policy_officer", "sunita": "reader", "mark": "approver"},
    )
    team, sunita = cafcass.headers("ifeoma"), cafcass.headers("sunita")
    policy = await document_by_reference(client, team, "POL-001")
    before = await open_ask(client, team, policy["id"])
    assert before["counts"]["confirmed"] == 2  # the demo: Yasmin and Mark confirmed 1.0

    await issue_whole_version(client, team, policy["id"], "# Safeguarding Policy\n\n2.0")
    launched = await open_ask(client, team, policy["id"])
    assert (launched["version_number"], launched["reason"]) == ("2.0", "issued")
    assert launched["counts"]["confirmed"] == 0
    people = await asked_people(client, team, launched["id"])
    # Operations and Cafcass Legal by service area, the CMT by board membership.
    assert {"Sunita Mehra", "Yasmin Okafor", "Alistair McBride", "Rupert Langham"} <= set(people)
    older = await get_json(client, f"/v1/acknowledgement-requests/{before['id']}", team)
    assert older["status"] == "superseded"

    # Sunita confirms signed in; Alistair, with no account, through his emailed link.
    assert (await confirm_mine(client, sunita, "POL-001"))["version"] == "2.0"
    token = token_of(settings, people["Alistair McBride"]["id"])
    by_link = await client.post(f"/v1/acknowledgement-links/{token}/confirm")
    assert by_link.status_code == 200, by_link.text
    uptake = await get_json(client, f"/v1/documents/{policy['id']}/acknowledgement-uptake", team)
    assert (uptake["version"], uptake["confirmed"]) == ("2.0", 2)
    # The Policy Sponsor sees it by service area.
    report = await get_json(
        client,
        f"/v1/acknowledgement-compliance?request_id={launched['id']}&group_by=service_area",
        cafcass.headers("mark"),
    )
    legal = next(t for t in report["teams"] if t["team"] == "Cafcass Legal")
    assert (legal["asked"], legal["confirmed"], legal["percent"]) == (1, 1, 100.0)


async def test_lbbd_team_and_service_managers_are_asked_to_cascade_and_confirm(
    client: AsyncClient, sessionmaker: Sessionmaker
) -> None:
    """LBBD stage 10: "asking Team and/or Service Managers to discuss this with staff in team
    meetings and service meetings": the policy officer asks the managers by job title, with a
    note; who already confirmed this version is not asked twice."""
    lbbd = await seed(sessionmaker, "lbbd", {"priya": "policy_officer", "ryan": "reader"})
    team = lbbd.headers("priya")
    policy = await document_by_reference(client, team, "POL-001")
    asked = await client.post(
        f"/v1/documents/{policy['id']}/acknowledgement-requests",
        json={
            "audience": {
                "job_titles": [
                    "team manager, locality social work",
                    "Service Manager, Carers and Direct Payments",
                ]
            },
            "message": "Please discuss it with your staff in team and service meetings; it is "
            "also in the ASC newsletter.",
        },
        headers=team,
    )
    assert asked.status_code == 201, asked.text
    people = await asked_people(client, team, asked.json()["id"])
    assert sorted(people) == ["Grace Adebayo-Hill", "Ryan Tsang"]
    # Grace confirmed this version in the first ask: she is not asked again.
    assert people["Grace Adebayo-Hill"]["status"] == "confirmed"
    await confirm_mine(client, lbbd.headers("ryan"), "POL-001")
    done = await get_json(client, f"/v1/acknowledgement-requests/{asked.json()['id']}", team)
    assert done["counts"] == {
        "asked": 2,
        "confirmed": 2,
        "pending": 0,
        "overdue": 0,
        "percent": 100.0,
    }


async def test_birmingham_practice_hub_announces_an_update_and_sees_who_read_it(
    client: AsyncClient, sessionmaker: Sessionmaker
) -> None:
    """Birmingham: "updates will be communicated via the 'news' section of Trix and the weekly
    email communication". Alongside the news item, the Practice Hub asks the Children in Need
    service to confirm they have read the updated procedure, and exports who has for the
    Assistant Director."""
    bct = await seed(sessionmaker, "bct", {"owen": "policy_officer", "beth": "reader"})
    hub = bct.headers("owen")
    procedure = await document_by_reference(client, hub, "PROC-001")
    ask = await open_ask(client, hub, procedure["id"])
    assert ask["message"].startswith("Also in this week's Trix news and the weekly email")
    mine = await get_json(client, "/v1/acknowledgements/mine", bct.headers("beth"))
    assert [i["reference"] for i in mine["items"]] == ["PROC-001"]
    await confirm_mine(client, bct.headers("beth"), "PROC-001")
    export = await client.get(
        f"/v1/acknowledgement-compliance/export.csv?view=teams&request_id={ask['id']}",
        headers=hub,
    )
    assert export.status_code == 200, export.text
    rows = {r[0]: r for r in csv.reader(io.StringIO(export.text.removeprefix("\ufeff")))}
    assert rows["Children in Need"][1:3] == ["2", "2"]  # Eleanor (the demo) and Beth


async def test_nct_responsible_officers_check_their_staff_know_the_procedure(
    client: AsyncClient, sessionmaker: Sessionmaker
) -> None:
    """NCT 2.2.4: Responsible Officers "Ensure all staff they are responsible for know how to
    access and use the Manual": Chloe, RO for MASH and Assessment, sees who in her area has
    not confirmed the Strategy Discussions procedure; Zoe confirms."""
    nct = await seed(sessionmaker, "nct", {"chloe": "author", "zoe": "reader"})
    chloe = nct.headers("chloe")
    procedure = await document_by_reference(client, chloe, "PROC-002")
    ask = await open_ask(client, chloe, procedure["id"])
    pending = await get_json(
        client,
        f"/v1/acknowledgement-requests/{ask['id']}/acknowledgements?status=pending",
        chloe,
    )
    mash = [r["name"] for r in pending["items"] if r["service_area"] == "MASH and Assessment"]
    assert sorted(mash) == ["Chloe Barraclough", "Zoe Pearce"]
    await confirm_mine(client, nct.headers("zoe"), "PROC-002")
    report = await get_json(
        client, f"/v1/acknowledgement-compliance?document_id={procedure['id']}", chloe
    )
    teams = {t["team"]: (t["asked"], t["confirmed"]) for t in report["teams"]}
    assert teams["MASH and Assessment"] == (2, 1)
    assert teams["Child Protection"] == (2, 1)  # Laura confirmed (the demo)


async def test_dorset_members_confirm_reading_the_papers_and_cslt_sees_uptake(
    client: AsyncClient, sessionmaker: Sessionmaker
) -> None:
    """Dorset 7.4: "Attendees are expected to read the documents prior to the meeting date":
    the chair sees, before the meeting, which members have read the papers; aim xi: uptake of
    the Case Recording Standards for CSLT's assurance."""
    dorset = await seed(
        sessionmaker,
        "dorset",
        {"nicola": "policy_officer", "stuart": "approver", "peter": "reader"},
    )
    chair = dorset.headers("nicola")
    board = await board_id(client, chair, "Practice, Policy and Procedures Group")
    meetings = await get_json(client, f"/v1/meetings?board_id={board}&limit=5", chair)
    upcoming = next(m for m in meetings["items"] if m["status"] == "scheduled")
    path = f"/v1/meetings/{upcoming['id']}/papers-read"
    shown = await get_json(client, path, chair)
    assert shown["read"] == 2  # the vice-chairs (the demo)
    read = await client.put(path, headers=dorset.headers("stuart"))
    assert read.status_code == 200, read.text
    shown = await get_json(client, path, chair)
    by_name = {m["name"]: m["has_read"] for m in shown["members"]}
    assert by_name["Stuart Pengelly"] is True and by_name["Peter Blandford"] is False
    assert (shown["read"], shown["not_read"]) == (3, 6)
    # A member who is not the chair does not see who has not read them.
    refused = await client.get(path, headers=dorset.headers("peter"))
    assert refused.status_code == 403

    standards = await document_by_reference(client, chair, "PS-001")
    uptake = await get_json(
        client, f"/v1/documents/{standards['id']}/acknowledgement-uptake", chair
    )
    assert (uptake["confirmed"], uptake["overdue"]) == (2, 0)
    assert uptake["asked"] > uptake["confirmed"]
