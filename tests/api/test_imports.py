"""Moving in: an existing tracker imported (all or nothing) and the tracker exported again."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from typing import Any

from httpx import AsyncClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from services.domain.models.audit import AuditRecord
from services.domain.models.documents import Document
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.people import service as people
from services.domain.settings import Settings
from services.notifier.email import render
from tests.api.timeline_support import relay
from tests.factories import World, document_body

PROBLEM = "application/problem+json"
HEADER = (
    "Reference,Title,Kind,Service area,RO email,RSM email,Last reviewed,Next review due,Trix URL"
)


def csv_file(*lines: str, header: str = HEADER, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


async def upload(
    client: AsyncClient,
    headers: dict[str, str],
    content: bytes,
    *,
    name: str = "tracker.csv",
    dry_run: bool = False,
) -> Any:
    return await client.post(
        "/v1/imports",
        params={"dry_run": "true"} if dry_run else None,
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


async def count(world: World, model: Any = Document) -> int:
    async with world.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def by_reference(client: AsyncClient, world: World) -> dict[str, dict[str, Any]]:
    found = await client.get(
        "/v1/documents", params={"limit": 200}, headers=world.a.policy_officer.headers
    )
    return {d["reference"]: d for d in found.json()["items"]}


async def test_a_csv_tracker_with_its_own_headings_is_imported(
    client: AsyncClient, world: World
) -> None:
    content = csv_file(
        "PROC-001,Strategy discussions,Procedure,Children in Need,author@alpha.example.org,"
        "approver@alpha.example.org,14/03/2025,14/03/2026,https://trix.example.org/proc-001",
        "POL-002,Neglect strategy,policy,Safeguarding,,,,,",
        "PS-003,Recording,Practice standard,,AUTHOR@alpha.example.org,,2024-11-01,01/11/2025,",
        header="Ref,Document title,Type,Service,Responsible Officer,RSM,Last reviewed,"
        "Review date,Trix link,Notes",
    )
    response = await upload(client, world.a.policy_officer.headers, content)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["updated"], report["problems"]) == (3, 0, [])
    assert report["ignored_columns"] == ["Notes"]
    assert [(a["row"], a["action"]) for a in report["actions"]] == [
        (2, "create"),
        (3, "create"),
        (4, "create"),
    ]
    docs = await by_reference(client, world)
    proc = docs["PROC-001"]
    assert proc["kind"] == "procedure" and proc["status"] == "published"
    assert proc["responsible_officer_id"] == str(world.a.author.person_id)
    assert proc["owner_id"] == str(world.a.approver.person_id)
    assert proc["next_review_due"] == "2026-03-14"
    assert proc["trix_url"] == "https://trix.example.org/proc-001"
    # Nothing says POL-002 is live: it starts as a draft.
    assert docs["POL-002"]["status"] == "draft"
    assert docs["POL-002"]["owner_id"] is None
    assert docs["PS-003"]["kind"] == "practice_standard"
    assert docs["PS-003"]["status"] == "published"  # reviewed before, so live
    assert docs["PS-003"]["next_review_due"] == "2025-11-01"
    async with world.sessionmaker() as session:
        events = list(
            (
                await session.execute(
                    select(OutboxEvent).where(OutboxEvent.type == "tracker.imported")
                )
            ).scalars()
        )
        last_reviewed = await session.scalar(
            select(Document.last_reviewed_on).where(Document.reference == "PROC-001")
        )
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "document.created")
        )
    assert last_reviewed is not None and last_reviewed.isoformat() == "2025-03-14"
    assert len(events) == 1
    assert events[0].payload["documents_created"] == 3
    assert audited == 3


async def test_an_xlsx_tracker_with_date_cells_is_imported(
    client: AsyncClient, world: World
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Reference", "Title", "Kind", "RSM email", "Last reviewed", "Next review due"])
    sheet.append(
        ["FORM-9", "Referral form", "form", None, datetime(2025, 1, 31), datetime(2026, 1, 31)]
    )
    sheet.append(
        [1234, "Numbered procedure", "procedure", "approver@alpha.example.org", None, None]
    )
    out = io.BytesIO()
    book.save(out)
    response = await upload(client, world.a.admin.headers, out.getvalue(), name="tracker.xlsx")
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    docs = await by_reference(client, world)
    assert docs["FORM-9"]["next_review_due"] == "2026-01-31"
    assert docs["FORM-9"]["status"] == "published"
    assert docs["1234"]["owner_id"] == str(world.a.approver.person_id)
    assert docs["1234"]["status"] == "draft"


async def test_a_windows_csv_with_semicolons_is_read(client: AsyncClient, world: World) -> None:
    title = "Children\u2019s services \u2013 \u00a3 charges"  # all three are in cp1252
    content = f"Reference;Title;Kind\r\nPOL-7;{title};policy\r\n"
    response = await upload(client, world.a.admin.headers, content.encode("cp1252"))
    assert response.status_code == 200, response.text
    docs = await by_reference(client, world)
    assert docs["POL-7"]["title"] == title


async def test_a_dry_run_reports_what_would_happen_and_writes_nothing(
    client: AsyncClient, world: World
) -> None:
    await client.post(
        "/v1/documents",
        json=document_body(reference="POL-1", title="Old title"),
        headers=world.a.policy_officer.headers,
    )
    documents, events = await count(world), await count(world, OutboxEvent)
    content = csv_file("POL-1,New title,policy,,,,,,", "POL-2,Another,policy,,,,,,")
    response = await upload(client, world.a.policy_officer.headers, content, dry_run=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True
    assert (report["created"], report["updated"]) == (1, 1)
    assert report["actions"][0] == {
        "row": 2,
        "reference": "POL-1",
        "action": "update",
        # A column the file has is the truth, an empty cell included: the service area goes.
        "changed": ["service_area", "title"],
    }
    assert (await count(world), await count(world, OutboxEvent)) == (documents, events)
    assert (await by_reference(client, world))["POL-1"]["title"] == "Old title"


async def test_broken_rows_are_all_reported_and_nothing_is_half_imported(
    client: AsyncClient, world: World
) -> None:
    async with world.sessionmaker() as session, session.begin():
        await people.create_person(
            session,
            None,
            organisation_id=world.a.id,
            name="Gone Away",
            email="gone@alpha.example.org",
            is_active=False,
        )
    before = await count(world)
    content = csv_file(
        "GOOD-1,A good row,policy,,,,,,",  # row 2
        ",No reference,policy,,,,,,",  # row 3
        "BAD-4,,leaflet,,,,,,",  # row 4
        "BAD-5,Unknown RO,policy,,nobody@alpha.example.org,gone@alpha.example.org,,,",
        "BAD-6,Procedure without RSM,procedure,,author@alpha.example.org,,,,",
        "BAD-7,Dates,policy,,,,31/02/2025,2024-01-01,",
        "BAD-8,Backwards,policy,,,,01/06/2025,01/01/2025,ftp://trix.example.org/x",
        "GOOD-1,Twice,policy,,,,,,",  # row 9
        "bad ref!,Spaces,policy,,,,,,",  # row 10
        "BAD-11,Beta's person,policy,,author@beta.example.org,,,,",
    )
    response = await upload(client, world.a.policy_officer.headers, content)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    found = {(p["row"], p["column"]) for p in body["problems"]}
    assert found == {
        (3, "Reference"),
        (4, "Title"),
        (4, "Kind"),
        (5, "RO email"),
        (5, "RSM email"),
        (6, "RSM email"),
        (7, "Last reviewed"),
        (8, "Next review due"),
        (8, "Trix URL"),
        (9, "Reference"),
        (10, "Reference"),
        (11, "RO email"),
    }
    messages = {(p["row"], p["column"]): p["message"] for p in body["problems"]}
    assert "row 2" in messages[(9, "Reference")]
    assert "no longer active" in messages[(5, "RSM email")]
    assert "'leaflet'" in messages[(4, "Kind")]
    assert "10 problem" not in body["detail"] and "12 problem" in body["detail"]
    assert await count(world) == before  # not even GOOD-1
    async with world.sessionmaker() as session:
        imported = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type.like("tracker.%"))
        )
    assert imported == 0
    # The same file as a dry run: the report, the problems and the one row that would do.
    dry = await upload(client, world.a.policy_officer.headers, content, dry_run=True)
    assert dry.status_code == 200
    assert {(p["row"], p["column"]) for p in dry.json()["problems"]} == found
    assert [a["reference"] for a in dry.json()["actions"]] == ["GOOD-1"]


async def test_a_file_without_the_required_columns_is_refused_by_its_header(
    client: AsyncClient, world: World
) -> None:
    content = csv_file("POL-1,Something", header="Title,Whatever")
    response = await upload(client, world.a.admin.headers, content)
    assert response.status_code == 422
    assert {(p["row"], p["column"]) for p in response.json()["problems"]} == {
        (1, "Reference"),
        (1, "Kind"),
    }


async def test_existing_references_are_updated_with_the_files_fields_only(
    client: AsyncClient, world: World
) -> None:
    created = await client.post(
        "/v1/documents",
        json=document_body(
            reference="PROC-9",
            kind="procedure",
            title="Old",
            owner_id=str(world.a.approver.person_id),
            responsible_officer_id=str(world.a.author.person_id),
            status="published",
        ),
        headers=world.a.policy_officer.headers,
    )
    assert created.status_code == 201, created.text
    content = csv_file(
        "PROC-9,New title,procedure,18/09/2027",
        header="Reference,Title,Kind,Next review due",
    )
    response = await upload(client, world.a.policy_officer.headers, content)
    assert response.status_code == 200, response.text
    assert response.json()["actions"][0]["changed"] == ["next_review_due", "title"]
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    doc = (await by_reference(client, world))["PROC-9"]
    assert (doc["title"], doc["next_review_due"]) == ("New title", "2027-09-18")
    # Columns the file does not have are left as they were.
    assert doc["responsible_officer_id"] == str(world.a.author.person_id)
    assert doc["owner_id"] == str(world.a.approver.person_id)
    assert doc["status"] == "published"
    assert doc["summary"] == created.json()["summary"]
    # An RSM column with the cell empty does clear it, and a procedure cannot lose its RSM.
    cleared = await upload(
        client,
        world.a.policy_officer.headers,
        csv_file("PROC-9,New title,procedure,", header="Reference,Title,Kind,RSM"),
    )
    assert cleared.status_code == 422
    assert [(p["row"], p["column"]) for p in cleared.json()["problems"]] == [(2, "RSM")]


async def test_an_export_imports_again_with_nothing_to_change(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    imported = await upload(
        client,
        h,
        csv_file(
            'PROC-1,=HYPERLINK("http://evil"),procedure,-Adults,author@alpha.example.org,'
            "approver@alpha.example.org,2025-03-14,2026-03-14,https://trix.example.org/1",
            "POL-2,Plain policy,policy,,,,,,",
        ),
    )
    assert imported.status_code == 200, imported.text
    exported = await client.get("/v1/tracker/export.csv", headers=world.a.reader.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    # The register fields Dorset asks for come last (tests/api/test_register_fields.py).
    register = ["Approved by", "Approved on", "Governing document", "Forms aligned on"]
    assert rows[0] == HEADER.split(",") + register
    assert [r[0] for r in rows[1:]] == ["POL-2", "PROC-1"]
    # No cell runs as a formula in a spreadsheet.
    assert rows[2][1] == '\'=HYPERLINK("http://evil")' and rows[2][3] == "'-Adults"
    assert rows[2][4:8] == [
        "author@alpha.example.org",
        "approver@alpha.example.org",
        "2025-03-14",
        "2026-03-14",
    ]
    again = await upload(client, h, exported.content, dry_run=True)
    assert again.status_code == 200
    assert again.json()["problems"] == []
    assert [a["action"] for a in again.json()["actions"]] == ["unchanged", "unchanged"]

    xlsx = await client.get("/v1/tracker/export.xlsx", headers=world.a.reader.headers)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    title = sheet.cell(row=3, column=2)
    assert title.value == '=HYPERLINK("http://evil")' and title.data_type == "s"
    assert isinstance(sheet.cell(row=3, column=7).value, datetime)
    again = await upload(client, h, xlsx.content, name="tracker.xlsx", dry_run=True)
    assert again.status_code == 200, again.text
    assert again.json()["problems"] == []
    assert [a["action"] for a in again.json()["actions"]] == ["unchanged", "unchanged"]


async def test_only_admins_and_policy_officers_import(client: AsyncClient, world: World) -> None:
    content = csv_file("POL-1,A policy,policy,,,,,,")
    for role in ("author", "approver", "reader", "integration"):
        member = world.a.members[role]
        response = await upload(client, member.headers, content, dry_run=role == "reader")
        assert response.status_code == 403, role
        assert response.headers["content-type"] == PROBLEM
    assert await count(world) == 0
    assert (await client.post("/v1/imports", files={"file": ("t.csv", content)})).status_code == 401
    assert (await client.get("/v1/tracker/export.csv")).status_code == 401


async def test_another_organisations_people_and_documents_are_out_of_reach(
    client: AsyncClient, world: World
) -> None:
    await client.post(
        "/v1/documents",
        json=document_body(reference="POL-1", title="Alpha's"),
        headers=world.a.policy_officer.headers,
    )
    refused = await upload(
        client, world.b.admin.headers, csv_file("POL-1,Beta's,policy,,author@alpha.example.org,,,,")
    )
    assert refused.status_code == 422
    assert [p["column"] for p in refused.json()["problems"]] == ["RO email"]
    response = await upload(client, world.b.admin.headers, csv_file("POL-1,Beta's,policy,,,,,,"))
    assert response.status_code == 200
    assert response.json()["actions"][0]["action"] == "create"  # beta's own POL-1
    assert (await by_reference(client, world))["POL-1"]["title"] == "Alpha's"
    exported = await client.get("/v1/tracker/export.csv", headers=world.b.reader.headers)
    assert "Alpha's" not in exported.text and "Beta's" in exported.text


# --- hostile files: a 422 naming the row and column, never a 500 ------------------------------


async def rejected(client: AsyncClient, world: World, content: bytes, name: str) -> list[Any]:
    response = await upload(client, world.a.policy_officer.headers, content, name=name)
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    assert await count(world) == 0
    return [(p["row"], p["column"]) for p in response.json()["problems"]]


async def test_a_nul_in_a_csv_reference_is_a_problem_of_its_row_and_column(
    client: AsyncClient, world: World
) -> None:
    # It reached PostgreSQL in the lookup of existing references, which refused it: a 500.
    content = csv_file("POL-\x001,Lone Working Policy,policy,,,,,,")
    assert await rejected(client, world, content, "tracker.csv") == [(2, "Reference")]


async def test_a_csv_cell_over_128_kib_is_a_problem_of_its_row_and_column(
    client: AsyncClient, world: World
) -> None:
    # The csv module's field limit (131,072) raised _csv.Error: a 500.
    content = csv_file("POL-1,Lone Working Policy,policy," + "x" * 140_000 + ",,,,,")
    assert await rejected(client, world, content, "tracker.csv") == [(2, "Service area")]


def xlsx_with_raw_cell(value: str) -> bytes:
    """A workbook whose row 2, column B is a number cell holding ``value``, as a hand-edited or
    badly generated file may."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Reference", "Title", "Kind"])
    sheet.append(["POL-1", 5, "policy"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>5</v>", f"<v>{value}</v>".encode())
            target.writestr(member, data)
    return edited.getvalue()


async def test_an_xlsx_number_cell_holding_a_letter_is_a_problem_of_its_row_and_column(
    client: AsyncClient, world: World
) -> None:
    # openpyxl's int("y") escaped as a ValueError: a 500.
    problems = await rejected(client, world, xlsx_with_raw_cell("y"), "tracker.xlsx")
    assert problems == [(2, "Title")]


async def test_each_person_named_gets_one_email_for_the_whole_import(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    # Moving in, one officer may be the RO of thousands of documents: one email, with counts,
    # not one a document (the import used to write one document.assigned email per row).
    author, officer = world.a.author.email, world.a.policy_officer.email
    response = await upload(
        client,
        world.a.policy_officer.headers,
        csv_file(
            f"DG-1,One,Policy,Adults,{author},,,,",
            f"DG-2,Two,Policy,Adults,{author},,,,",
            f"DG-3,Three,Procedure,Adults,{author},{officer},,,",
        ),
    )
    assert response.status_code == 200, response.text
    await relay(world)
    async with world.sessionmaker() as session:
        sent = (await session.execute(select(Notification))).scalars().all()
        assigned_events = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type.in_(["document.people_assigned", "document.owner_changed"]))
        )
    assert assigned_events == 0
    by_email = {n.recipient_email: n for n in sent}
    assert [n.kind for n in sent] == ["tracker.assigned"] * 2, [n.kind for n in sent]
    mine = by_email[author].context
    assert mine["documents"] == 3 and mine["filename"] == "tracker.csv"
    assert mine["roles"] == [{"title": "responsible officer", "documents": 3}]
    theirs = by_email[officer].context
    assert (theirs["documents"], theirs["roles"][0]["documents"]) == (1, 1)
    text = render(by_email[author], settings).get_body(preferencelist=("plain",))
    assert text is not None
    assert "names you on 3 documents" in text.get_content()
    assert "- responsible officer of 3" in text.get_content()
