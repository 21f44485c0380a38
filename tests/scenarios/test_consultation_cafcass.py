"""Cafcass Policy Development Framework (seed 002), step 4, through the HTTP API on the seeded
organisation: "all policies that require a broad practice change ... must be subject to a full
three-month consultation" (4.6); a response form "with the consultation questions which can be
placed on the website or emailed to stakeholders", and "a record of all received responses"
(4.7). External stakeholders have no account: they respond through the link in their
invitation. Silence is not agreement at Cafcass."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import LONDON
from services.domain.consultations import links
from services.domain.settings import Settings
from tests.scenarios.seeded import (
    get_json,
    open_consultation,
    register_document,
    respond,
    responses_by_name,
    seed,
    sweep_at_deadline,
    upload_draft,
)

PARTNER = "Northshire Children's Services"
YOUNG_PEOPLE = "Family Justice Young People's Panel"


def link_of(settings: Settings, consultee: dict[str, Any]) -> str:
    """The link in an external consultee's invitation (the notifier signs it for the email)."""
    token = links.link_token(
        settings.keyring, uuid.UUID(consultee["id"]), consultee["link_version"]
    )
    return f"/v1/consultation-links/{token}"


async def test_a_broad_practice_change_is_consulted_on_for_three_months_with_a_response_form(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    cafcass = await seed(
        sessionmaker,
        "cafcass",
        {
            "ifeoma": "policy_officer",  # National Policy Manager
            "harriet": "author",  # Corporate Strategist (Policy Author)
            "sunita": "reader",  # Head of Profession, Social Work Practice
            "yasmin": "reader",  # Regional Director
            "gareth": "reader",  # Head of Communications
        },
    )
    team = cafcass.headers("ifeoma")
    author = cafcass.headers("harriet")
    policy = await register_document(
        client,
        team,
        reference="POL-011",
        title="Hearing Children's Wishes and Feelings Policy",
        summary="How every child's wishes and feelings reach the court: a broad practice change.",
        kind="policy",
        service_area="Operations",
        owner_id=cafcass.id("mark"),
        responsible_officer_id=cafcass.id("ifeoma"),
        author_id=cafcass.id("harriet"),
    )
    document_id = policy["id"]
    await upload_draft(client, author, document_id, "# Wishes and feelings\nOutline.", "0.1")
    draft = await upload_draft(
        client,
        author,
        document_id,
        "# Wishes and feelings\nEvery child over eight is offered a meeting with their FCA.",
        "Draft 0.2 approved by ECMT to proceed to consultation",
    )

    # 4.6 and 4.7: a public consultation with a consultation letter and a response form,
    # to staff and external stakeholders; nobody says when it closes.
    consultation = await open_consultation(
        client,
        author,
        document_id=document_id,
        version_id=draft["id"],
        kind="public",
        title="Consultation: Hearing Children's Wishes and Feelings",
        description="Cafcass is consulting for three months on this draft. Please use the "
        "response form; the National Policy Manager can also take responses by email.",
        audience={
            "people": [cafcass.id("sunita"), cafcass.id("yasmin"), cafcass.id("gareth")],
            "external": [
                {
                    "name": "Rhiannon Price",
                    "email": "rhiannon.price@northshire.example.org",
                    "represents": PARTNER,
                },
                {
                    "name": "Jordan Hale",
                    "email": "jordan.hale@young-people-panel.example.org",
                    "represents": YOUNG_PEOPLE,
                },
            ],
        },
        questions=[
            {
                "key": "clear",
                "text": "Is it clear when a child is offered a meeting?",
                "kind": "yes_no",
                "required": True,
            },
            {
                "key": "impact",
                "text": "What will the change mean for the children you work with?",
                "kind": "choice",
                "options": ["Better", "No change", "Worse"],
            },
            {"key": "changes", "text": "What would you change, and why?"},
        ],
    )
    consultation_id = consultation["id"]
    assert consultation["status"] == "open"
    # Cafcass 4.6: three months from the opening, on a working day; silence is not agreement.
    assert consultation["closing_rule"] == {"relative_to": "opening", "amount": 3, "unit": "months"}
    opened = datetime.fromisoformat(consultation["opened_at"]).astimezone(LONDON).date()
    three_months = opened + relativedelta(months=3)
    closes_on = date.fromisoformat(consultation["closes_on"])
    assert three_months <= closes_on <= three_months + timedelta(days=4)
    assert consultation["deemed_agreement"] is False
    assert [q["key"] for q in consultation["questions"]] == ["clear", "impact", "changes"]
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", team)
    assert "consultation_closed" in {m["gate"] for m in readiness["missing_gates"]}

    # Staff respond on the form; the Head of Communications does not.
    await respond(
        client,
        cafcass.headers("sunita"),
        consultation_id,
        "support",
        answers={"clear": True, "impact": "Better"},
    )
    await respond(
        client,
        cafcass.headers("yasmin"),
        consultation_id,
        "object",
        comments="Eight is too old a threshold: offer it to every child who can take part.",
        answers={"clear": True, "impact": "Worse", "changes": "Drop the age threshold."},
    )

    # The partner agency opens the link in its invitation: the consultation and its form.
    asked = await get_json(client, f"/v1/consultations/{consultation_id}/consultees", author)
    external = {c["represents"]: c for c in asked if c["kind"] == "external"}
    partner_link = link_of(settings, external[PARTNER])
    view = await get_json(client, partner_link, {})
    assert (view["title"], view["consultee_name"], view["version"]) == (
        "Consultation: Hearing Children's Wishes and Feelings",
        "Rhiannon Price",
        "0.2",
    )
    assert view["deemed_agreement"] is False and view["response"] is None
    assert [q["key"] for q in view["questions"]] == ["clear", "impact", "changes"]
    unanswered = await client.put(
        f"{partner_link}/response", json={"position": "support", "answers": {}}
    )
    assert unanswered.status_code == 422, unanswered.text  # "clear" is required
    answered = await client.put(
        f"{partner_link}/response",
        json={
            "position": "support_with_comments",
            "comments": "Please share the meeting's outcome with the child's social worker.",
            "answers": {"clear": True, "impact": "Better"},
        },
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["is_late"] is False

    # Three months on, the sweep closes it: nobody's silence is taken as agreement.
    await sweep_at_deadline(sessionmaker, consultation)
    closed = await get_json(client, f"/v1/consultations/{consultation_id}", author)
    assert closed["status"] == "closed"
    after = await responses_by_name(client, author, consultation_id)
    assert sorted(after) == ["Rhiannon Price", "Sunita Mehra", "Yasmin Okafor"]
    assert not any(r["is_deemed_agreement"] for r in after.values())

    # The young people's panel responds after the close: kept, and flagged late.
    late = await client.put(
        f"{link_of(settings, external[YOUNG_PEOPLE])}/response",
        json={
            "position": "support_with_comments",
            "comments": "Let children choose where the meeting happens.",
            "answers": {"clear": False, "impact": "Better"},
        },
    )
    assert late.status_code == 201, late.text
    assert late.json()["is_late"] is True
    after = await responses_by_name(client, author, consultation_id)
    assert {name: r["is_late"] for name, r in after.items()} == {
        "Sunita Mehra": False,
        "Yasmin Okafor": False,
        "Rhiannon Price": False,
        "Jordan Hale": True,
    }
    asked = await get_json(client, f"/v1/consultations/{consultation_id}/consultees", author)
    assert [c["name"] for c in asked if not c["has_responded"]] == ["Gareth Rees"]

    # 4.7: the report lists every response received, the answers, and who did not respond.
    report: dict[str, Any] = await get_json(
        client, f"/v1/consultations/{consultation_id}/report", author
    )
    assert report["counts"] == {
        "consultees": 5,
        "responded": 4,
        "late": 1,
        "deemed": 0,
        "not_responded": 1,
        "awaiting_handling": 3,
    }
    assert report["deemed"] == []
    assert [c["name"] for c in report["non_responders"]] == ["Gareth Rees"]
    analysis = {q["key"]: q for q in report["question_analysis"]}
    assert analysis["clear"]["counts"] == {"yes": 3, "no": 1}
    assert analysis["impact"]["counts"] == {"Better": 3, "No change": 0, "Worse": 1}
    flagged = [r["consultee"]["represents"] for r in report["responses"] if r["is_late"]]
    assert flagged == [YOUNG_PEOPLE]

    # The consultation has closed: its gate no longer holds the policy back.
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", team)
    assert readiness["route_key"] == "policy_sign_off"
    assert "consultation_closed" not in {m["gate"] for m in readiness["missing_gates"]}
    assert "proposal_approved" in {m["gate"] for m in readiness["missing_gates"]}
