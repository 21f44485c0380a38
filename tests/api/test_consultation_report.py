"""The consultation report over HTTP: JSON, CSV and HTML, for the document's team only."""

from __future__ import annotations

import csv
import io
import uuid
from typing import get_args

from httpx import AsyncClient

from services.api.consultations import report_schemas as schemas
from services.domain.models.consultations import HANDLING, KINDS, POSITIONS, RECORDED_POSITIONS
from tests.domain.consultation_report_support import READER_COMMENTS, closed_consultation
from tests.factories import World

FORMATS = ("report", "report.csv", "report.html")


def url(consultation_id: uuid.UUID | str, what: str = "report") -> str:
    return f"/v1/consultations/{consultation_id}/{what}"


async def test_the_document_team_reads_the_report_as_json(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)

    got = await client.get(url(cast.ids["consultation"]), headers=world.a.author.headers)

    assert got.status_code == 200, got.text
    body = got.json()
    assert body["consultation_id"] == str(cast.ids["consultation"])
    assert (body["document_reference"], body["version_number"]) == ("POL-CR-1", "0.1")
    assert body["closes_on"] == cast.closes_on.isoformat()  # type: ignore[union-attr]
    assert body["by_position"] == {
        "support": 1,
        "support_with_comments": 2,
        "object": 2,
        "no_view": 0,
        "deemed_agreement": 2,
    }
    assert body["counts"] == {
        "consultees": 7,
        "responded": 5,
        "late": 1,
        "deemed": 2,
        "not_responded": 0,
        "awaiting_handling": 2,
    }
    assert [t["theme"] for t in body["themes"]] == ["Contacts", "Out of hours", "Thresholds"]
    assert body["themes"][0]["by_position"] == {
        "support": 1,
        "support_with_comments": 1,
        "object": 1,
    }
    reader = next(r for r in body["responses"] if r["consultee"]["name"] == "Reader of alpha")
    assert reader["comments"] == READER_COMMENTS
    assert reader["consultee"]["email"] == world.a.reader.email
    assert (reader["handling"], reader["addressed_in_version"]) == ("accepted", "0.2")
    assert reader["answers"][0] == {
        "key": "clear",
        "question": "Is the procedure clear?",
        "value": True,
    }
    late = [r["consultee"]["name"] for r in body["responses"] if r["is_late"]]
    assert late == ["Finn Walsh"]
    assert [d["consultee"]["name"] for d in body["deemed"]] == ["Dev Singh", "Eve Smith"]
    option = next(q for q in body["question_analysis"] if q["key"] == "option")
    assert option["counts"] == {"A": 2, "B": 1, "C": 0}
    assert body["non_responders"] == []


async def test_the_csv_is_a_spreadsheet_with_a_row_per_consultee(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)

    got = await client.get(
        url(cast.ids["consultation"], "report.csv"), headers=world.a.policy_officer.headers
    )

    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"] == (
        'attachment; filename="POL-CR-1-consultation-report.csv"'
    )
    # The byte order mark tells Excel the file is UTF-8.
    assert got.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == 7
    assert rows[0]["Consultee"] == "Reader of alpha"
    assert rows[0]["Anything else?"] == '\'=HYPERLINK("http://evil.example")'
    assert sorted(r["Status"] for r in rows) == [
        "No response: deemed agreement",
        "No response: deemed agreement",
        "Responded",
        "Responded",
        "Responded",
        "Responded",
        "Responded late",
    ]


async def test_the_page_is_html_that_runs_nothing_a_consultee_typed(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)

    # The document's owner (RSM) is on its team too.
    got = await client.get(
        url(cast.ids["consultation"], "report.html"), headers=world.a.approver.headers
    )

    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert "<script>" not in got.text
    assert "&lt;script&gt;" in got.text
    for name in ("Reader of alpha", "Asha Patel", "Ben Okafor", "Carol Jones", "Finn Walsh"):
        assert name in got.text


async def test_a_consultee_not_on_the_document_team_cannot_read_the_report(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    # The reader is a consultee: they see the consultation itself...
    mine = await client.get(
        f"/v1/consultations/{cast.ids['consultation']}", headers=world.a.reader.headers
    )
    assert mine.status_code == 200, mine.text

    for what in FORMATS:
        got = await client.get(url(cast.ids["consultation"], what), headers=world.a.reader.headers)
        # ...but not everybody's responses: exactly as if there were no such consultation.
        missing = await client.get(url(uuid.uuid4(), what), headers=world.a.reader.headers)
        assert got.status_code == 404, (what, got.text)
        assert got.headers["content-type"] == "application/problem+json"
        assert got.json()["detail"] == missing.json()["detail"]
        assert READER_COMMENTS not in got.text


async def test_another_organisation_cannot_read_the_report(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)

    for what in FORMATS:
        got = await client.get(url(cast.ids["consultation"], what), headers=world.b.admin.headers)
        missing = await client.get(url(uuid.uuid4(), what), headers=world.b.admin.headers)
        assert got.status_code == 404, (what, got.text)
        assert got.headers["content-type"] == "application/problem+json"
        assert got.json()["detail"] == missing.json()["detail"]
        # The same caller's own organisation would read it.
        own = await client.get(url(cast.ids["consultation"], what), headers=world.a.admin.headers)
        assert own.status_code == 200, (what, own.text)


def test_the_report_schema_enumerations_are_the_domains() -> None:
    assert get_args(schemas.ReportKind) == KINDS
    assert get_args(schemas.ReportPosition) == POSITIONS
    assert get_args(schemas.ReportHandling) == HANDLING
    assert tuple(schemas.PositionCounts.model_fields) == RECORDED_POSITIONS
    assert tuple(schemas.HandlingCounts.model_fields) == HANDLING


async def test_the_report_names_the_documents_people_in_the_organisations_words(
    client: AsyncClient, world: World
) -> None:
    """Cafcass 4.7: the author reports to the policy owner, who is the Policy Sponsor there."""
    cast = await closed_consultation(world)
    neutral = await client.get(url(cast.ids["consultation"]), headers=world.a.author.headers)
    assert [(p["role"], p["title"], p["name"]) for p in neutral.json()["document_people"]] == [
        ("owner", "owner", "Approver of alpha"),
        ("responsible_officer", "responsible officer", "Author of alpha"),
        ("author", "author", "Author of alpha"),
    ]
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    words = {
        "owner": "Policy Sponsor",
        "responsible_officer": "Policy Lead",
        "author": "Policy Author",
    }
    changed = await client.patch(
        "/v1/organisation",
        json={"words": words},
        headers={**world.a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    report = await client.get(url(cast.ids["consultation"]), headers=world.a.author.headers)
    assert [p["title"] for p in report.json()["document_people"]] == list(words.values())
    page = await client.get(
        url(cast.ids["consultation"], "report.html"), headers=world.a.author.headers
    )
    for title, name in (
        ("Policy Sponsor", "Approver of alpha"),
        ("Policy Lead", "Author of alpha"),
        ("Policy Author", "Author of alpha"),
    ):
        assert f"<dt>{title}</dt><dd>{name}</dd>" in page.text
