"""The consultation report (Cafcass 4.7): positions, themes, every response and its handling,
deemed agreement and late responses apart (Birmingham), as data, CSV and a printable page."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from services.domain.clock import LONDON
from services.domain.consultations.report import ConsultationReport, build_report
from services.domain.consultations.report_formats import (
    long_date,
    long_datetime,
    report_csv,
    report_html,
    safe_cell,
)
from services.domain.models.consultations import RECORDED_POSITIONS
from tests.domain.consultation_report_support import (
    READER_COMMENTS,
    Cast,
    closed_consultation,
    open_consultation,
)
from tests.factories import World


async def report_of(cast: Cast) -> ConsultationReport:
    async with cast.step() as session:
        return await build_report(session, await cast.consultation(session))


def by_name(report: ConsultationReport) -> dict[str, Any]:
    return {r.consultee.name: r for r in report.responses}


async def test_counts_cover_every_position_with_deemed_agreement_and_late_responses_apart(
    world: World,
) -> None:
    report = await report_of(await closed_consultation(world))

    assert tuple(report.by_position) == RECORDED_POSITIONS
    assert report.by_position == {
        "support": 1,
        "support_with_comments": 2,
        "object": 2,
        "no_view": 0,
        "deemed_agreement": 2,
    }
    counts = report.counts
    assert (counts.consultees, counts.responded, counts.late) == (7, 5, 1)
    assert (counts.deemed, counts.not_responded) == (2, 0)
    # Carol's and Finn's comments have no handling yet; Asha made none.
    assert counts.awaiting_handling == 2
    assert report.by_handling == {
        "accepted": 1,
        "partly_accepted": 0,
        "not_accepted": 1,
        "no_change_needed": 0,
    }
    # Deemed agreement is not a response: listed apart, never among the responses.
    assert [d.consultee.name for d in report.deemed] == ["Dev Singh", "Eve Smith"]
    assert "deemed_agreement" not in {r.position for r in report.responses}
    assert report.deemed[1].consultee.represents == "NHS"
    assert report.deemed[0].deemed_at == report.closes_at
    # Finn was deemed to agree at the close, then objected late: the late response counts.
    finn = by_name(report)["Finn Walsh"]
    assert (finn.position, finn.is_late) == ("object", True)
    assert [r.consultee.name for r in report.responses if r.is_late] == ["Finn Walsh"]
    assert report.responses[-1] is finn  # oldest first
    assert report.non_responders == ()


async def test_the_facts_name_the_document_the_draft_and_the_london_closing_day(
    world: World,
) -> None:
    cast = await closed_consultation(world)
    report = await report_of(cast)

    assert report.consultation_id == cast.ids["consultation"]
    assert (report.document_reference, report.document_title) == (
        "POL-CR-1",
        "Missing children procedure",
    )
    assert (report.version_id, report.version_number) == (cast.ids["v01"], "0.1")
    assert (report.kind, report.status, report.deemed_agreement) == ("internal", "closed", True)
    assert cast.closes_at is not None
    assert report.closes_at == cast.closes_at
    assert report.closed_at == cast.closes_at
    assert report.opened_at is not None and report.opened_at < report.closes_at
    # It closes at midnight, which ends the London day responses were due by.
    assert report.closes_on == cast.closes_on
    assert report.closes_at.astimezone(LONDON).date() == cast.closes_on + timedelta(days=1)
    assert [q.key for q in report.questions] == ["clear", "option", "anything"]
    assert report.questions[1].options == ("A", "B", "C")


async def test_while_open_those_who_have_not_responded_are_listed_with_their_board(
    world: World,
) -> None:
    report = await report_of(await open_consultation(world))

    assert [(c.name, c.kind, c.represents, c.via_board) for c in report.non_responders] == [
        ("Dev Singh", "person", "", None),
        ("Eve Smith", "external", "NHS", None),
        ("Finn Walsh", "person", "", "Safeguarding Board"),
    ]
    assert report.non_responders[1].email == "eve@nhs.example.org"
    counts = report.counts
    assert (counts.consultees, counts.responded, counts.deemed, counts.not_responded) == (
        7,
        4,
        0,
        3,
    )
    assert report.by_position["deemed_agreement"] == 0
    assert report.deemed == ()


async def test_themes_are_counted_with_their_positions_most_frequent_first(world: World) -> None:
    report = await report_of(await closed_consultation(world))

    assert [(t.theme, t.responses, dict(t.by_position)) for t in report.themes] == [
        ("Contacts", 3, {"support": 1, "support_with_comments": 1, "object": 1}),
        # A tie is in the order of the theme's name.
        ("Out of hours", 1, {"support_with_comments": 1}),
        ("Thresholds", 1, {"object": 1}),
    ]


async def test_each_response_is_there_in_full_with_how_it_was_handled_in_the_next_draft(
    world: World,
) -> None:
    cast = await closed_consultation(world)
    report = await report_of(cast)
    responses = by_name(report)

    assert set(responses) == {
        "Reader of alpha",
        "Asha Patel",
        "Ben Okafor",
        "Carol Jones",
        "Finn Walsh",
    }
    reader = responses["Reader of alpha"]
    assert reader.response_id == cast.ids["r_reader"]
    assert reader.comments == READER_COMMENTS
    assert reader.consultee.email == world.a.reader.email
    assert reader.themes == ("Contacts", "Out of hours")
    assert (reader.handling, reader.handling_note) == ("accepted", "Added the EDT number.")
    assert reader.addressed_in_version == "0.2"
    # Typed in by the consultee themselves: nobody recorded it for them.
    assert reader.recorded_by is None
    assert [(a.question, a.value) for a in reader.answers] == [
        ("Is the procedure clear?", True),
        ("Which option do you prefer?", "A"),
        ("Anything else?", '=HYPERLINK("http://evil.example")'),
    ]

    ben = responses["Ben Okafor"]
    assert (ben.handling, ben.addressed_in_version) == ("not_accepted", None)
    assert ben.consultee.via_board == "Safeguarding Board"

    carol = responses["Carol Jones"]
    assert carol.recorded_by == "Author of alpha"
    assert (carol.consultee.kind, carol.consultee.represents) == ("external", "Police")
    assert (carol.handling, carol.themes, carol.answers) == (None, (), ())

    asha = responses["Asha Patel"]
    assert (asha.position, asha.amendments, asha.is_late) == ("support", 1, False)


async def test_yes_no_and_choice_questions_are_counted_per_answer(world: World) -> None:
    report = await report_of(await closed_consultation(world))

    analysis = {q.key: q for q in report.question_analysis}
    assert list(analysis) == ["clear", "option", "anything"]
    clear = analysis["clear"]
    assert (clear.answered, clear.not_answered, dict(clear.counts)) == (4, 1, {"yes": 2, "no": 2})
    option = analysis["option"]
    assert (option.answered, option.not_answered) == (3, 2)
    assert list(option.counts.items()) == [("A", 2), ("B", 1), ("C", 0)]
    anything = analysis["anything"]
    assert (anything.text, anything.answered, anything.not_answered) == ("Anything else?", 2, 3)
    assert dict(anything.counts) == {}


async def test_the_report_takes_the_same_two_queries_however_many_respond(world: World) -> None:
    cast = await open_consultation(world)

    async def queries() -> int:
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2])

        async with cast.step() as session:
            consultation = await cast.consultation(session)
            connection = (await session.connection()).sync_connection
            assert connection is not None
            event.listen(connection, "before_cursor_execute", record)
            try:
                await build_report(session, consultation)
            finally:
                event.remove(connection, "before_cursor_execute", record)
        return len(statements)

    before = await queries()
    await cast.respond("dev", position="support")
    await cast.respond("finn", position="object", comments="No.")
    assert before == 2
    assert await queries() == 2


# --- CSV -------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_csv_has_a_row_per_consultee_and_a_column_per_question(world: World) -> None:
    report = await report_of(await closed_consultation(world))
    text = report_csv(report)
    rows = read_csv(text)

    assert len(rows) == report.counts.consultees == 7
    header = next(csv.reader(io.StringIO(text)))
    assert header[-3:] == [
        "Is the procedure clear?",
        "Which option do you prefer?",
        "Anything else?",
    ]
    assert {"Position", "Comments", "Themes", "Handling", "Status"} <= set(header)
    by_consultee = {r["Consultee"]: r for r in rows}
    assert set(by_consultee) == {
        "Reader of alpha",
        "Asha Patel",
        "Ben Okafor",
        "Carol Jones",
        "Finn Walsh",
        "Dev Singh",
        "Eve Smith",
    }
    reader = by_consultee["Reader of alpha"]
    assert reader["Position"] == "Support with comments"
    assert reader["Comments"] == READER_COMMENTS
    assert reader["Themes"] == "Contacts; Out of hours"
    assert (reader["Handling"], reader["Addressed in version"]) == ("Accepted", "0.2")
    assert (reader["Is the procedure clear?"], reader["Which option do you prefer?"]) == (
        "Yes",
        "A",
    )
    assert by_consultee["Ben Okafor"]["Is the procedure clear?"] == "No"
    assert by_consultee["Ben Okafor"]["Via board"] == "Safeguarding Board"
    assert by_consultee["Carol Jones"]["Recorded by"] == "Author of alpha"
    assert by_consultee["Asha Patel"]["Amendments"] == "1"
    finn = by_consultee["Finn Walsh"]
    assert (finn["Status"], finn["Late"], finn["Position"]) == ("Responded late", "Yes", "Object")
    dev = by_consultee["Dev Singh"]
    assert (dev["Status"], dev["Position"]) == ("No response: deemed agreement", "Deemed agreement")
    assert dev["Comments"] == "" and dev["Is the procedure clear?"] == ""
    assert by_consultee["Eve Smith"]["Represents"] == "NHS"


async def test_the_csv_lists_those_who_have_not_responded(world: World) -> None:
    report = await report_of(await open_consultation(world))
    rows = read_csv(report_csv(report))

    silent = [(r["Consultee"], r["Status"], r["Position"]) for r in rows if not r["Position"]]
    assert sorted(silent) == [
        ("Dev Singh", "No response", ""),
        ("Eve Smith", "No response", ""),
        ("Finn Walsh", "No response", ""),
    ]
    assert len(rows) == 7


async def test_no_csv_cell_can_run_as_a_formula_in_a_spreadsheet(world: World) -> None:
    report = await report_of(await closed_consultation(world))
    rows = {r["Consultee"]: r for r in read_csv(report_csv(report))}

    assert rows["Reader of alpha"]["Anything else?"] == '\'=HYPERLINK("http://evil.example")'
    assert rows["Carol Jones"]["Comments"] == "'+44 20 7946 0000 is the wrong number."
    assert rows["Finn Walsh"]["Comments"].startswith("'@team: I was on leave")
    assert rows["Ben Okafor"]["Handling note"] == (
        "'-Thresholds are set by the safeguarding partnership."
    )
    # Ordinary text is left alone.
    assert rows["Ben Okafor"]["Comments"] == "Thresholds are unclear."
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_safe_cell_quotes_what_a_spreadsheet_would_run(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


# --- HTML ------------------------------------------------------------------------------------


async def test_the_page_shows_every_response_with_comments_escaped(world: World) -> None:
    report = await report_of(await closed_consultation(world))
    page = report_html(report)

    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Please add the out-of-hours" in page
    for response in report.responses:
        assert f'id="response-{response.response_id}"' in page
        assert response.consultee.name in page
    for comments in ("Thresholds are unclear.", "+44 20 7946 0000 is the wrong number."):
        assert comments in page
    assert "Added the EDT number." in page
    assert "Accepted in version 0.2" in page
    assert "Recorded by Author of alpha on their behalf" in page
    assert page.count('<span class="badge late">Late</span>') == 1
    # No external assets: it prints and opens anywhere.
    assert "<link" not in page and "src=" not in page and "http://" not in page.split("<body")[0]


async def test_the_page_shows_deemed_agreement_apart_from_the_responses(world: World) -> None:
    page = report_html(await report_of(await closed_consultation(world)))

    responses = page.split('<section id="responses">')[1].split("</section>")[0]
    deemed = page.split('<section id="deemed">')[1].split("</section>")[0]
    assert "Dev Singh" in deemed and "Eve Smith" in deemed
    assert "Dev Singh" not in responses and "Eve Smith" not in responses
    assert "Deemed agreement (2)" in deemed
    themes = page.split('<section id="themes">')[1].split("</section>")[0]
    assert themes.index("Contacts") < themes.index("Out of hours") < themes.index("Thresholds")


async def test_the_page_lists_those_who_have_not_responded(world: World) -> None:
    page = report_html(await report_of(await open_consultation(world)))

    silent = page.split('<section id="non-responders">')[1].split("</section>")[0]
    assert "No response (3)" in silent
    for name in ("Dev Singh", "Eve Smith", "Finn Walsh", "Safeguarding Board"):
        assert name in silent
    assert 'id="deemed"' not in page


async def test_the_page_shows_times_in_london(world: World) -> None:
    report = await report_of(await closed_consultation(world))
    summer = dataclasses.replace(
        report,
        closed_at=datetime(2026, 7, 1, 22, 59, tzinfo=UTC),
        closes_on=date(2026, 7, 1),
    )
    page = report_html(summer)

    assert "Wednesday 1 July 2026, 22:59" not in page
    assert "Wednesday 1 July 2026, 23:59" in page
    assert "The end of Wednesday 1 July 2026" in page


def test_dates_are_spelled_out_in_london_time() -> None:
    assert (
        long_datetime(datetime(2026, 12, 8, 10, 0, tzinfo=UTC)) == "Tuesday 8 December 2026, 10:00"
    )
    assert (
        long_datetime(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "Wednesday 1 July 2026, 00:30"
    )
    assert long_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "Wednesday 1 July 2026"
