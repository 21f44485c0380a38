"""Moving in: an organisation's existing review tracker imported into the register.

Every row and column is checked before anything is written, and every problem is reported; one
problem and nothing is imported. Documents are created and updated through the register's own
functions, so their audit records, events and search text are the same as through the API.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import reviews as reviews_authz
from services.domain.authz.principal import Principal
from services.domain.documents import links
from services.domain.documents import service as documents
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.documents.register_fields import GOVERNS
from services.domain.errors import Invalid
from services.domain.imports.checking import YIELD_EVERY_ROWS, Planned, Progress, plan
from services.domain.imports.sheet import Problem, Sheet
from services.domain.models.documents import IN_FORCE, Document, DocumentStatus
from services.domain.organisations import service as organisations
from services.domain.outbox.service import emit

Action = Literal["create", "update", "unchanged"]
# Documents created in one go; each batch is a few statements, whatever its size.
IMPORT_BATCH = 1000


@dataclass(frozen=True)
class RowAction:
    row: int
    reference: str
    action: Action
    changed: list[str]


@dataclass
class ImportReport:
    dry_run: bool
    rows: int
    actions: list[RowAction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for a in self.actions if a.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class TrackerRejected(Invalid):
    """The file has problems, so nothing was imported; ``problems`` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"The tracker has {len(report.problems)} problem(s); nothing was imported.",
            problems=[asdict(p) for p in report.problems],
        )
        self.report = report


def _action(planned: Planned) -> tuple[Action, dict[str, Any]]:
    if planned.document is None:
        return "create", planned.values
    values = planned.values
    if planned.document.status in IN_FORCE and values.get("next_review_due", False) is None:
        # A document in force always has a review date: an empty cell leaves it as it is.
        values = {k: v for k, v in values.items() if k != "next_review_due"}
    changes = {k: v for k, v in values.items() if getattr(planned.document, k) != v}
    return ("update" if changes or planned.governing else "unchanged"), changes


def status_for_new(values: dict[str, Any]) -> DocumentStatus:
    """A row with a Trix URL, a last review date or an approval date is a live document being
    moved in, so it is registered as published (and, with no next review date, given one by the
    review-date rule, counted from its last review); anything else is still being written and
    starts as a draft."""
    if values.get("trix_url") or values.get("last_reviewed_on") or values.get("approved_on"):
        return DocumentStatus.PUBLISHED
    return DocumentStatus.DRAFT


# --- importing ---------------------------------------------------------------------------------


async def import_tracker(
    session: AsyncSession,
    principal: Principal,
    sheet: Sheet,
    *,
    filename: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of ``sheet``, then create and update the documents it lists, all or
    nothing: any problem raises TrackerRejected and writes nothing. A dry run checks and reports
    what would happen, writing nothing either way (its problems are in the report)."""
    reviews_authz.check_import(principal)
    planned, problems = await plan(session, principal, sheet, progress)
    report = ImportReport(
        dry_run=dry_run, rows=len(sheet.rows), problems=problems, ignored_columns=sheet.ignored
    )
    steps: list[tuple[Planned, Action, dict[str, Any]]] = []
    for n, item in enumerate(planned):
        if n % YIELD_EVERY_ROWS == YIELD_EVERY_ROWS - 1:
            await asyncio.sleep(0)
        action, changes = _action(item)
        steps.append((item, action, changes))
        changed = sorted([*changes, *(["governing_reference"] if item.governing else [])])
        report.actions.append(
            RowAction(item.row, item.reference, action, changed if action == "update" else [])
        )
    if dry_run:
        return report
    if problems:
        raise TrackerRejected(report)
    named = await _write(session, principal, steps, progress)
    await _record(session, principal, report, filename, named)
    return report


async def _write(
    session: AsyncSession,
    principal: Principal,
    steps: list[tuple[Planned, Action, dict[str, Any]]],
    progress: Progress | None,
) -> dict[uuid.UUID, Counter[str]]:
    """Create and update the documents, a batch at a time; who the new documents name, with
    how many and in which roles."""
    if progress:
        progress.start("importing", len(steps))
    # Who the new documents name: told once each at the end, not once per document (moving
    # in, one officer may be the RO of thousands).
    named: dict[uuid.UUID, Counter[str]] = {}
    by_reference: dict[str, Document] = {}
    for start in range(0, len(steps), IMPORT_BATCH):
        batch = steps[start : start + IMPORT_BATCH]
        new = [
            NewDocument.of(
                {"reference": item.reference, "status": status_for_new(changes), **changes}
            )
            for item, action, changes in batch
            if action == "create"
        ]
        # New documents a batch at a time: row by row, 50,000 rows took twelve minutes.
        created = await documents.create_documents(session, principal, new, tell_people=False)
        for document in created:
            by_reference[document.reference] = document
            for person_id, roles in documents.people_named(document).items():
                named.setdefault(person_id, Counter()).update(["documents", *roles])
        for item, action, changes in batch:
            if action == "update":
                assert item.document is not None
                await documents.update_document(
                    session,
                    principal,
                    item.document,
                    DocumentChange.of(changes),
                    expected_version=item.document.row_version,
                )
        if progress:
            progress.advance(len(batch))
    await _link_governing(session, principal, steps, by_reference)
    return named


async def _link_governing(
    session: AsyncSession,
    principal: Principal,
    steps: list[tuple[Planned, Action, dict[str, Any]]],
    created: dict[str, Document],
) -> None:
    """The ``governs`` links the rows' Governing document column asks for, once every document
    of the file is in the register (a row may name one further down)."""
    wanted = [item for item, _, _ in steps if item.governing]
    if not wanted:
        return
    names = sorted({g for item in wanted if (g := item.governing) and g not in created})
    existing = {
        d.reference: d
        for d in (
            await session.execute(
                select(Document).where(
                    Document.organisation_id == principal.organisation_id,
                    Document.reference.in_(names),
                )
            )
        ).scalars()
    }
    for item in wanted:
        assert item.governing is not None
        governor = created.get(item.governing) or existing[item.governing]
        target = item.document or created[item.reference]
        await links.create_link(session, principal, governor, target_id=target.id, kind=GOVERNS)


async def _record(
    session: AsyncSession,
    principal: Principal,
    report: ImportReport,
    filename: str,
    named: dict[uuid.UUID, Counter[str]],
) -> None:
    """The import's audit record and its event (which tells the people named)."""
    await audit_changes.record_change(
        session,
        principal,
        await organisations.get(session, principal.organisation_id),
        "tracker.imported",
        after={
            "filename": filename,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    await emit(
        session,
        events.TrackerImported(
            organisation_id=principal.organisation_id,
            documents_created=report.created,
            documents_updated=report.updated,
            filename=filename,
            named=[
                events.PersonNamed(
                    person_id=person_id,
                    documents=counts.pop("documents"),
                    roles=dict(counts),
                )
                for person_id, counts in named.items()
            ],
        ),
    )
