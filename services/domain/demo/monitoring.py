"""The demo's monitoring actions (Cafcass 7.4, Dorset xi and 1.1), set, evidenced and closed
through the domain's own rules by the people the data file names: some open, some done with
their outcome, and one already overdue (so the first sweep escalates it to the document's
owner)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import london_today
from services.domain.demo.acting import acting_as
from services.domain.models.documents import Document
from services.domain.models.monitoring import MonitoringAction
from services.domain.monitoring import service, work
from services.domain.monitoring.commands import NewEvidence, NewMonitoringAction


async def _seed_one(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    spec: dict[str, Any],
    document: Document,
    by_email: dict[str, Any],
) -> None:
    today = london_today()
    due_in = int(spec["due_in_days"])
    setter = acting_as(organisation_id, by_email[spec["set_by_email"]])
    command = NewMonitoringAction(
        title=spec["title"],
        description=spec.get("description", ""),
        owner_id=by_email[spec["owner_email"]],
        due_on=today + timedelta(days=max(due_in, 0)),
    )
    action = await service.create_action(session, setter, document.id, command)
    if due_in < 0:
        # Back-dated for the demo only (nobody sets an action due in the past): an action
        # already overdue, so the first sweep escalates it once.
        action.due_on = today + timedelta(days=due_in)
    for evidence in spec.get("evidence", []):
        await work.add_evidence(
            session,
            acting_as(organisation_id, by_email[evidence["by_email"]]),
            action,
            NewEvidence(note=evidence["note"], url=evidence.get("url")),
        )
    done = spec.get("done")
    if done is not None:
        by = acting_as(organisation_id, by_email[done["by_email"]])
        await work.complete_action(session, by, action, done["outcome"])
    await session.flush()


async def seed_monitoring_actions(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    """Each monitoring action of the data file not yet there (by document and title), dated
    from today; how many were created."""
    created = 0
    for spec in listed:
        document = by_reference[spec["reference"]]
        exists = await session.execute(
            select(MonitoringAction.id).where(
                MonitoringAction.organisation_id == organisation_id,
                MonitoringAction.document_id == document.id,
                MonitoringAction.title == spec["title"],
            )
        )
        if exists.first() is not None:
            continue
        await _seed_one(session, organisation_id, spec, document, by_email)
        created += 1
    return created
