"""Who is told about dis-applications, and what their email says (Cafcass 6.1).

- ``dis_application.requested``: to whom the organisation names to decide it (by default the
  document's owner, the Policy Sponsor); void once it is decided or withdrawn.
- ``dis_application.decided``: to the requester, the line manager they discussed it with and
  the document's owner (who must know a part of their document is set aside), one each.
- ``dis_application.ending``: planned by the notifier's sweep (``reminders_due``) at each of
  the organisation's ``dis_application_reminder_days`` before the end date, once per
  threshold, to the requester and the document's owner; void once it is no longer approved.
- ``dis_application.ended``: revoked early or expired, to the requester and the owner (a
  withdrawal tells the decider nothing more: their request email is void).

Context keys (besides those every email has): ``dis_application_id``, ``dis_application_path``,
``section``, ``applies_to``, ``starts_on`` and ``ends_on`` (ISO dates), ``requested_by_name``;
the request adds ``reasons``, ``risks``, ``mitigation`` and ``discussed_with_name``; the
decision ``status`` (approved or refused), ``decision_note`` and ``decided_by_name``; the
reminder ``days_left`` and ``reminder_days`` (the threshold reached); the end ``status``
(revoked or expired) and ``end_reason``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.dis_applications import rules
from services.domain.dis_applications.service import decider_of
from services.domain.models.dis_applications import DisApplication, DisApplicationStatus
from services.domain.models.documents import Document
from services.domain.models.organisations import Organisation
from services.domain.notices.notice import Handler, Notice, Reminder
from services.domain.notices.recipients import active_people, person_name

REQUESTED = "dis_application.requested"
DECIDED = "dis_application.decided"
ENDING = "dis_application.ending"
ENDED = "dis_application.ended"


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A request to decide is void once decided or withdrawn; a reminder once it is no longer
    approved (revoked early). Decisions and ends report what happened and stay true."""
    if kind not in (REQUESTED, ENDING):
        return True
    found = await session.get(DisApplication, uuid.UUID(context["dis_application_id"]))
    wanted = DisApplicationStatus.REQUESTED if kind == REQUESTED else DisApplicationStatus.APPROVED
    return found is not None and found.status == wanted


async def _about(session: AsyncSession, dis_application: DisApplication) -> dict[str, Any]:
    return {
        "dis_application_id": str(dis_application.id),
        "dis_application_path": f"/v1/dis-applications/{dis_application.id}",
        "section": dis_application.section,
        "applies_to": dis_application.applies_to,
        "starts_on": dis_application.starts_on.isoformat(),
        "ends_on": dis_application.ends_on.isoformat(),
        "requested_by_name": await person_name(session, dis_application.requested_by_id),
    }


async def _load(
    session: AsyncSession, dis_application_id: uuid.UUID
) -> tuple[DisApplication, Document] | None:
    found = await session.get(DisApplication, dis_application_id)
    document = await session.get(Document, found.document_id) if found is not None else None
    if found is None or document is None:
        return None
    return found, document


async def _requested(session: AsyncSession, event: events.DisApplicationRequested) -> list[Notice]:
    loaded = await _load(session, event.dis_application_id)
    if loaded is None:
        return []
    dis_application, document = loaded
    context = {
        **await _about(session, dis_application),
        "reasons": dis_application.reasons,
        "risks": dis_application.risks,
        "mitigation": dis_application.mitigation,
        "discussed_with_name": await person_name(session, dis_application.discussed_with_id),
    }
    decider_id = await decider_of(session, document)
    # Nobody decides their own request: a requester who is the decider is not asked.
    people = await active_people(
        session, event.organisation_id, [decider_id], but=dis_application.requested_by_id
    )
    return [Notice(REQUESTED, person, context, document) for person in people]


async def _decided(session: AsyncSession, event: events.DisApplicationDecided) -> list[Notice]:
    loaded = await _load(session, event.dis_application_id)
    if loaded is None:
        return []
    dis_application, document = loaded
    context = {
        **await _about(session, dis_application),
        "status": event.status,
        "decision_note": dis_application.decision_note,
        "decided_by_name": await person_name(session, event.decided_by_id),
    }
    ids = (
        dis_application.requested_by_id,
        dis_application.discussed_with_id,
        document.owner_id,
    )
    people = await active_people(session, event.organisation_id, ids, but=event.decided_by_id)
    return [Notice(DECIDED, person, context, document) for person in people]


async def _ended(session: AsyncSession, event: events.DisApplicationEnded) -> list[Notice]:
    if event.status == DisApplicationStatus.WITHDRAWN:
        return []
    loaded = await _load(session, event.dis_application_id)
    if loaded is None:
        return []
    dis_application, document = loaded
    context = {
        **await _about(session, dis_application),
        "status": event.status,
        "end_reason": dis_application.end_reason,
    }
    ids = (dis_application.requested_by_id, document.owner_id)
    people = await active_people(session, event.organisation_id, ids, but=event.ended_by_id)
    return [Notice(ENDED, person, context, document) for person in people]


async def reminders_due(session: AsyncSession, today: date) -> list[Reminder]:
    """The reminders due ``today``: to the requester and the document's owner of each approved
    dis-application, for the nearest of its organisation's thresholds reached before its end
    date (each threshold once: the key names it)."""
    settings = await session.execute(
        select(Organisation.id, Organisation.dis_application_reminder_days)
    )
    days_of: dict[uuid.UUID, Sequence[int]] = {org: days for org, days in settings.all()}
    horizon = today + timedelta(days=max((max(d, default=0) for d in days_of.values()), default=0))
    rows = await session.execute(
        select(DisApplication, Document)
        .join(Document, Document.id == DisApplication.document_id)
        .where(
            DisApplication.status == DisApplicationStatus.APPROVED,
            DisApplication.ends_on >= today,
            DisApplication.ends_on <= horizon,
        )
        .order_by(DisApplication.ends_on, DisApplication.id)
    )
    due: list[Reminder] = []
    for dis_application, document in rows.all():
        org = dis_application.organisation_id
        threshold = rules.reminder_due(dis_application.ends_on, today, days_of.get(org, ()))
        if threshold is None:
            continue
        context = {
            **await _about(session, dis_application),
            "days_left": (dis_application.ends_on - today).days,
            "reminder_days": threshold,
        }
        ids = (dis_application.requested_by_id, document.owner_id)
        for person in await active_people(session, org, ids):
            key = f"dis_application:{dis_application.id}:ending:{threshold}:{person.id}"
            due.append(Reminder(org, key, Notice(ENDING, person, context, document)))
    return due


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.DisApplicationRequested: _requested,
    events.DisApplicationDecided: _decided,
    events.DisApplicationEnded: _ended,
}
