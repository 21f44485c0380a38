"""Hypothesis over the API: every string of a request refuses hostile text with a 422 naming the
field (never a 500) and stores nothing; every export carries any text already stored."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from hypothesis import strategies as st
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import text

from services.domain.consultations.report_formats import FORMULA_STARTS
from services.domain.text import printable, refusal
from tests.api.boards_support import create_document_with_draft
from tests.api.request_strings import request_strings
from tests.domain.consultation_report_support import closed_consultation
from tests.factories import World, document_body
from tests.hostile_text import examples, hostile_for, storable


def _top_level_strings(app: FastAPI, model: str) -> dict[str, Any]:
    """The policy of each top-level string field of a request schema, by field name."""
    return {
        s.field: s.policy
        for s in request_strings(app)
        if s.model is not None and s.model.__name__ == model and s.where.endswith(f".{s.field}")
    }


async def _count(world: World, table: str) -> int:
    async with world.sessionmaker() as session:
        result = await session.execute(text(f"SELECT count(*) FROM {table}"))
        return int(result.scalar_one())


async def _send(client: AsyncClient, url: str, body: Any, headers: dict[str, str]) -> Any:
    # ASCII-escaped JSON, so a lone surrogate reaches the server as a client could send it.
    return await client.post(
        url, content=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


async def test_hostile_text_in_any_string_of_a_body_is_a_422_naming_it_and_stores_nothing(
    app: FastAPI, client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "internal",
        "audience": {"people": [str(world.a.reader.person_id)]},
    }
    cases = [
        ("DocumentCreate", "/v1/documents", document_body(), world.a.policy_officer, "documents"),
        ("PersonCreate", "/v1/people", {"name": "Sam", "email": "s@x.org"}, world.a.admin,
         "people"),
        ("ConsultationCreate", "/v1/consultations", consultation, world.a.author,
         "consultations"),
    ]  # fmt: skip
    for model, url, valid, member, table in cases:
        policies = _top_level_strings(app, model)
        assert len(policies) >= 2, model
        before = await _count(world, table)
        drawn = examples(
            st.sampled_from(sorted(policies)).flatmap(
                lambda f, p=policies: st.tuples(st.just(f), hostile_for(p[f]))
            ),
            count=30,
        )
        assert len(drawn) == 30
        for field, value in drawn:
            response = await _send(client, url, {**valid, field: value}, member.headers)
            assert response.status_code == 422, (model, field, value, response.text)
            names = [p["name"] for p in response.json()["invalid_params"]]
            assert field in names, (model, field, value, names)
        assert await _count(world, table) == before, model


async def test_hostile_text_in_a_query_is_a_422_naming_it(
    app: FastAPI, client: AsyncClient, world: World
) -> None:
    queries = {
        (s.where.split(" ?")[0].split(" ", 1)[1], s.field): s.policy
        for s in request_strings(app)
        if " ?" in s.where and s.policy is not None and "{" not in s.where
    }
    assert ("/v1/posts", "post") in queries and ("/v1/documents", "q") in queries
    drawn = examples(
        st.sampled_from(sorted(queries))
        .flatmap(
            lambda key: st.tuples(st.just(key), hostile_for(queries[key]))  # type: ignore[index]
        )
        .filter(no_surrogate),
        count=60,
    )
    assert len(drawn) > 30
    for (path, name), value in drawn:
        response = await client.get(path, params={name: value}, headers=world.a.admin.headers)
        if not path.startswith("/v1/"):
            # A page for people without an account (services/pages): a problem page for the
            # browser, with its 4xx, never a 500.
            assert response.status_code == 400, (path, name, value, response.text)
            assert response.headers["content-type"].startswith("text/html"), path
            continue
        assert response.status_code == 422, (path, name, value, response.text)
        assert name in [p["name"] for p in response.json()["invalid_params"]], (path, name)


def no_surrogate(drawn: tuple[Any, str]) -> bool:
    # A query is percent-encoded UTF-8, which cannot carry a lone surrogate (the server reads
    # one as U+FFFD); bodies test them.
    return not any("\ud800" <= c <= "\udfff" for c in drawn[1])


async def test_any_stored_text_comes_out_of_the_tracker_exports_and_feed_safely(
    client: AsyncClient, world: World
) -> None:
    me = str(world.a.approver.person_id)
    created = await client.post(
        "/v1/documents",
        json=document_body(status="published", owner_id=me, next_review_due="2030-01-31"),
        headers=world.a.policy_officer.headers,
    )
    assert created.status_code == 201, created.text
    feed = await client.get(f"/v1/people/{me}/calendar-feed", headers=world.a.approver.headers)
    feed_path = feed.json()["url"].removeprefix("http://testserver")
    admin = world.a.admin.headers

    stored = examples(st.tuples(storable, storable), count=25)
    assert len(stored) == 25
    for title, area in stored:
        # Written straight into the table, as text stored before the policy would be.
        async with world.sessionmaker() as session, session.begin():
            await session.execute(
                text("UPDATE documents SET title = :t, service_area = :a WHERE id = :id"),
                {"t": title[:300], "a": area[:200], "id": created.json()["id"]},
            )
        title, area = title[:300], area[:200]

        as_csv = await client.get("/v1/tracker/export.csv", headers=admin)
        assert as_csv.status_code == 200, as_csv.text
        [_, row] = list(csv.reader(io.StringIO(as_csv.text, newline="")))
        for cell, stored in ((row[1], title), (row[3], area)):
            assert refusal(cell, multiline=True) is None
            assert not cell.startswith(FORMULA_STARTS)
            # As stored, or with the quote that keeps a formula a text (a text that itself
            # begins with a quote comes out as it is).
            assert cell == printable(stored) or (
                printable(stored).startswith(FORMULA_STARTS) and cell == "'" + printable(stored)
            )

        as_xlsx = await client.get("/v1/tracker/export.xlsx", headers=admin)
        assert as_xlsx.status_code == 200, as_xlsx.text
        sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
        assert sheet is not None
        assert sheet.cell(row=2, column=2).value == printable(title)
        assert sheet.cell(row=2, column=2).data_type == "s"  # never a formula

        ics = await client.get(feed_path)
        assert ics.status_code == 200, ics.text
        lines = ics.content.split(b"\r\n")
        assert all(len(line) <= 75 for line in lines)
        assert b"\n" not in ics.content.replace(b"\r\n", b"")
        assert b"\r" not in ics.content.replace(b"\r\n", b"")
        unfolded = [line for line in lines if line and not line.startswith(b" ")]
        assert unfolded.count(b"BEGIN:VEVENT") == 1
        [event] = Calendar.from_ical(ics.content).walk("VEVENT")
        assert refusal(str(event["SUMMARY"]), multiline=True) is None


async def test_any_stored_text_comes_out_of_the_consultation_report_safely(
    client: AsyncClient, world: World
) -> None:
    cast = await closed_consultation(world)
    consultation, response = cast.ids["consultation"], cast.ids["r_reader"]
    headers = world.a.author.headers
    stored = examples(st.tuples(storable, storable), count=15)
    assert len(stored) == 15
    for title, comments in stored:
        title = title[:300]
        async with world.sessionmaker() as session, session.begin():
            # Straight into the tables; consultation_responses is append-only for the API.
            await session.execute(text("SET LOCAL session_replication_role = replica"))
            await session.execute(
                text("UPDATE consultations SET title = :t WHERE id = :id"),
                {"t": title, "id": consultation},
            )
            await session.execute(
                text("UPDATE consultation_responses SET comments = :c WHERE id = :id"),
                {"c": comments + "<script>x</script>", "id": response},
            )

        as_csv = await client.get(f"/v1/consultations/{consultation}/report.csv", headers=headers)
        assert as_csv.status_code == 200, as_csv.text
        for row in csv.reader(io.StringIO(as_csv.text, newline="")):
            for cell in row:
                assert refusal(cell, multiline=True) is None
                assert not cell.startswith(FORMULA_STARTS)

        html = await client.get(f"/v1/consultations/{consultation}/report.html", headers=headers)
        assert html.status_code == 200, html.text
        assert refusal(html.text, multiline=True) is None
        assert "<script>x</script>" not in html.text
        assert "&lt;script&gt;x&lt;/script&gt;" in html.text
