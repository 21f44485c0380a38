"""Engagement sessions: planning and recording the workshops, co-production sessions and review
sessions that shaped a document's drafts, and listing a document's sessions.

LBBD 4: "Carry out co-production workshops/focus groups together with staff members and
residents". NCT 4.1.1: "it may be necessary to convene a Review Session to allow relevant
professionals the opportunity to agree what (if any) amendments are required. The decision to
convene a Review Session will be at the discretion of the RO."
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.engagement_sessions.commands import (
    Attendee,
    EngagementSessionChange,
    NewEngagementSession,
    SessionAction,
)
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.engagement_sessions import (
    EngagementKind,
    EngagementSession,
    EngagementStatus,
)
from services.domain.pagination import after_position
from services.domain.people.service import require_active_people

MAX_ATTENDEES = 200
MAX_ACTIONS = 100
# Where a session may go from where it is; a cancelled one is kept as it was.
MOVES = {
    EngagementStatus.PLANNED: {EngagementStatus.HELD, EngagementStatus.CANCELLED},
    EngagementStatus.HELD: set(),
    EngagementStatus.CANCELLED: set(),
}
_READ = (
    "Engagement sessions shape drafts: only the policy team and the people named on the "
    "document may see them."
)


def _check_held_on(status: EngagementStatus, held_on: date) -> None:
    if status == EngagementStatus.HELD and held_on > london_today():
        raise Invalid("A session recorded as held took place today or earlier.", field="held_on")


def _attendee(a: Attendee) -> dict[str, Any]:
    if (a.person_id is None) == (not (a.name or "").strip()):
        raise Invalid(
            "Name each attendee either as a person of the organisation (person_id) or, for "
            "someone from outside it, by name (with their organisation).",
            field="attendees",
        )
    if a.person_id is not None:
        return {"person_id": str(a.person_id)}
    return {"name": (a.name or "").strip(), "organisation": (a.organisation or "").strip()}


def _action(a: SessionAction) -> dict[str, Any]:
    if not a.text.strip():
        raise Invalid("Say what each action is.", field="actions")
    return {
        "text": a.text.strip(),
        "owner_id": str(a.owner_id) if a.owner_id else None,
        "due_on": a.due_on.isoformat() if a.due_on else None,
        "done": a.done,
    }


async def _check_people(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    facilitator_id: uuid.UUID | None,
    attendees: tuple[Attendee, ...],
    actions: tuple[SessionAction, ...],
) -> None:
    """Every person named is an active member of the caller's organisation (another
    organisation's person answers like one that does not exist)."""
    if len(attendees) > MAX_ATTENDEES:
        raise Invalid(f"At most {MAX_ATTENDEES} attendees.", field="attendees")
    if len(actions) > MAX_ACTIONS:
        raise Invalid(f"At most {MAX_ACTIONS} actions.", field="actions")
    wanted = [(facilitator_id, "facilitator_id")]
    wanted += [(a.person_id, "attendees") for a in attendees]
    wanted += [(a.owner_id, "actions") for a in actions]
    await require_active_people(session, organisation_id, wanted)


async def _check_version(
    session: AsyncSession, document: Document, version_id: uuid.UUID | None
) -> None:
    """The draft a session shaped is one of the document's own versions."""
    if version_id is None:
        return
    version = await session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document.id:
        raise Invalid("No such version of this document.", field="version_id")


async def record_session(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    command: NewEngagementSession,
) -> EngagementSession:
    """Plan a workshop or review session on a document, or record one already held (its
    notes, attendees and actions): whoever may edit the document."""
    document = await get_document(session, principal, document_id)
    authz.check_edit(principal, document)
    if not command.title.strip():
        raise Invalid("Give the session a title.", field="title")
    await _check_version(session, document, command.version_id)
    await _check_people(
        session, document.organisation_id, command.facilitator_id, command.attendees,
        command.actions,
    )  # fmt: skip
    if command.status == EngagementStatus.CANCELLED:
        raise Invalid("A new session is planned or held.", field="status")
    held = command.status == EngagementStatus.HELD
    _check_held_on(command.status, command.held_on)
    now = utcnow()
    found = EngagementSession(
        id=new_id(),
        created_at=now,
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=command.version_id,
        kind=EngagementKind(command.kind),
        title=command.title.strip(),
        held_on=command.held_on,
        facilitator_id=command.facilitator_id,
        attendees=[_attendee(a) for a in command.attendees],
        notes=command.notes,
        actions=[_action(a) for a in command.actions],
        status=command.status,
        recorded_by_id=principal.person_id if held else None,
        held_at=now if held else None,
    )
    session.add(found)
    await session.flush()
    action = "engagement_session.held" if held else "engagement_session.planned"
    await audit_changes.record_change(session, principal, found, action)
    return found


async def get_session(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, *, for_update: bool = False
) -> EngagementSession:
    """A session of the caller's organisation on a document whose drafts they may read; any
    other id is NotFound."""
    query = select(EngagementSession).where(
        EngagementSession.id == session_id,
        EngagementSession.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such engagement session.")
    document = await get_document(session, principal, found.document_id)
    authz.check_read_drafts(principal, document, _READ)
    return found


async def change_session(
    session: AsyncSession,
    principal: Principal,
    found: EngagementSession,
    change: EngagementSessionChange,
    *,
    expected_version: int,
) -> EngagementSession:
    """Change a session, or record it held (notes, attendees, actions) or cancelled: whoever
    may edit its document. A cancelled session is kept as it was."""
    document = await get_document(session, principal, found.document_id)
    authz.check_edit(principal, document)
    if found.row_version != expected_version:
        raise PreconditionFailed("The session has changed since you read it; fetch it again.")
    if found.status == EngagementStatus.CANCELLED:
        raise Conflict("This session was cancelled; plan a new one instead.")
    values = change.given()
    status = EngagementStatus(values.pop("status", found.status))
    if status != found.status and status not in MOVES[found.status]:
        raise Conflict(f"A {found.status} session cannot become {status}.")
    _check_held_on(status, values.get("held_on", found.held_on))
    if "title" in values and not str(values["title"]).strip():
        raise Invalid("Give the session a title.", field="title")
    await _check_version(session, document, values.get("version_id"))
    await _check_people(
        session, found.organisation_id, values.get("facilitator_id"),
        values.get("attendees", ()), values.get("actions", ()),
    )  # fmt: skip
    if "attendees" in values:
        values["attendees"] = [_attendee(a) for a in values["attendees"]]
    if "actions" in values:
        values["actions"] = [_action(a) for a in values["actions"]]
    before = audit.snapshot(found)
    for key, value in values.items():
        setattr(found, key, value)
    action = "engagement_session.updated"
    if status != found.status:
        found.status = status
        action = f"engagement_session.{status}"
        if status == EngagementStatus.HELD:
            found.held_at, found.recorded_by_id = utcnow(), principal.person_id
        else:
            found.cancelled_at = utcnow()
    await session.flush()
    await audit_changes.record_change(session, principal, found, action, before=before)
    return found


async def list_for_document(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    *,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> list[EngagementSession]:
    """A document's sessions, earliest day first (held, planned and cancelled)."""
    document = await get_document(session, principal, document_id)
    authz.check_read_drafts(principal, document, _READ)
    query = select(EngagementSession).where(
        EngagementSession.organisation_id == document.organisation_id,
        EngagementSession.document_id == document.id,
    )
    query = after_position(query, EngagementSession.held_on, EngagementSession.id, after)  # type: ignore[arg-type]
    return list((await session.execute(query.limit(limit))).scalars())
