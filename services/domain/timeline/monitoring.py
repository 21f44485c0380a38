"""A document's implementation monitoring on its timeline (Cafcass 7.4, Dorset xi): each action
set, its evidence, how it closed (done with its outcome, or cancelled), and each report tabled
to a board."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.monitoring import (
    ImplementationReport,
    MonitoringAction,
    MonitoringActionStatus,
    MonitoringEvidence,
)
from services.domain.models.people import Person
from services.domain.timeline.builder import Builder, day, quote
from services.domain.timeline.records import TimelineRows


async def load_monitoring(
    session: AsyncSession, rows: TimelineRows, org: uuid.UUID, doc: uuid.UUID
) -> None:
    """The document's monitoring actions, their evidence, its tabled reports and the names of
    the people in them that the timeline has not read yet (after ``_load_names``)."""
    found = await session.execute(
        select(MonitoringAction)
        .where(MonitoringAction.organisation_id == org, MonitoringAction.document_id == doc)
        .order_by(MonitoringAction.created_at, MonitoringAction.id)
    )
    rows.monitoring_actions = list(found.scalars())
    evidence = await session.execute(
        select(MonitoringEvidence)
        .where(MonitoringEvidence.action_id.in_([a.id for a in rows.monitoring_actions]))
        .order_by(MonitoringEvidence.recorded_at, MonitoringEvidence.id)
    )
    rows.monitoring_evidence = list(evidence.scalars())
    reports = await session.execute(
        select(ImplementationReport)
        .where(ImplementationReport.organisation_id == org, ImplementationReport.document_id == doc)
        .order_by(ImplementationReport.tabled_at, ImplementationReport.id)
    )
    rows.implementation_reports = list(reports.scalars())
    people: set[uuid.UUID | None] = {a.owner_id for a in rows.monitoring_actions}
    people |= {a.created_by_id for a in rows.monitoring_actions}
    people |= {a.closed_by_id for a in rows.monitoring_actions}
    people |= {e.recorded_by_id for e in rows.monitoring_evidence}
    people |= {r.tabled_by_id for r in rows.implementation_reports}
    missing = {p for p in people if p is not None and p not in rows.names}
    if missing:
        named = await session.execute(
            select(Person.id, Person.name).where(
                Person.organisation_id == org, Person.id.in_(missing)
            )
        )
        rows.names.update({person_id: name for person_id, name in named.all()})


def monitoring_entries(b: Builder) -> None:
    titles = {a.id: a.title for a in b.rows.monitoring_actions}
    for a in b.rows.monitoring_actions:
        refs: dict[str, uuid.UUID | None] = {"monitoring_action_id": a.id}
        owner = b.name(a.owner_id) or "someone"
        b.add(
            a.created_at,
            "monitoring_action.created",
            f"Monitoring action for {owner}, due {day(a.due_on)}: {quote(a.title, 120)}",
            a.id,
            actor_id=a.created_by_id,
            refs=refs,
            details={
                "title": a.title,
                "owner": b.name(a.owner_id),
                "due_on": a.due_on.isoformat(),
                "issued_version": a.issued_version,
            },
        )
        if a.status != MonitoringActionStatus.OPEN and a.closed_at is not None:
            done = a.status == MonitoringActionStatus.DONE
            kind = "monitoring_action.done" if done else "monitoring_action.cancelled"
            label = "done" if done else "cancelled"
            b.add(
                a.closed_at,
                kind,
                f"Monitoring action {label} ({quote(a.title, 80)}): {quote(a.outcome)}",
                a.id,
                actor_id=a.closed_by_id,
                refs=refs,
                details={"outcome": a.outcome},
            )
    for e in b.rows.monitoring_evidence:
        b.add(
            e.recorded_at,
            "monitoring_action.evidence_added",
            f"Evidence on {quote(titles.get(e.action_id, ''), 80)}: {quote(e.note)}",
            e.id,
            actor_id=e.recorded_by_id,
            refs={"monitoring_action_id": e.action_id},
            details={"note": e.note, "url": e.url},
        )
    for r in b.rows.implementation_reports:
        counts = r.content.get("counts", {})
        b.add(
            r.tabled_at,
            "implementation_report.tabled",
            f"Implementation report tabled for {b.meeting_words(r.meeting_id)}: "
            f"{counts.get('open', 0)} actions open ({counts.get('overdue', 0)} overdue), "
            f"{counts.get('done', 0)} done",
            r.id,
            actor_id=r.tabled_by_id,
            refs={
                "implementation_report_id": r.id,
                "agenda_item_id": r.agenda_item_id,
                "meeting_id": r.meeting_id,
            },
            details={"counts": counts, "uptake": r.content.get("uptake")},
        )
