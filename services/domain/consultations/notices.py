"""Who is told about consultations, and what their email says.

As for meetings and sign-off, one function per event type decides the recipients and the
context of each email, and ``service.fan_out`` inserts them idempotently; reminders are not
caused by an event but planned by the notifier's sweep (``reminders_due``).

Consultees are written to as consultees: a person of the organisation (only while active), or
an external address with no account behind it. An external consultee's link is signed when the
email is written (``services.notifier.email``) and never stored: a notification's context is
visible to admins, so it carries only the link version the email was meant for.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.clock import utcnow
from services.domain.consultations import closing, summary_notices
from services.domain.consultations.notice_context import (
    POSITION_WORDS,
    about_consultation,
    as_consultee,
    consultation_and_document,
    days_left,
    invitation,
    may_invite,
    reachable,
    responses_by_consultee,
)
from services.domain.consultations.service import consultees_of, is_past_deadline
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
    RECORDED_POSITIONS,
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    Consultee,
)
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.notices.kinds import of_family
from services.domain.notices.notice import Handler, Notice, Reminder
from services.domain.notices.recipients import active_people_by_id

INVITED = "consultation.invited"
REMINDER = "consultation.reminder"
KINDS = of_family("consultation")


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """An invitation or reminder is void once the consultation no longer takes responses in
    time (closed, cancelled, or past its closing time), once an external consultee's link it
    carries was revoked or replaced by a newer one, and a reminder once the consultee has
    responded. Other consultation notices report what happened and stay true."""
    if kind == summary_notices.YOU_SAID_WE_DID:
        return await summary_notices.still_true(session, context)
    if kind not in (INVITED, REMINDER):
        return True
    consultee = await session.get(Consultee, uuid.UUID(context["consultee_id"]))
    consultation = await session.get(Consultation, uuid.UUID(context["consultation_id"]))
    if consultee is None or consultation is None:
        return False
    if consultation.status != ConsultationStatus.OPEN or is_past_deadline(consultation, utcnow()):
        return False
    if consultee.kind == "external" and (
        consultee.link_revoked_at is not None
        or consultee.link_version != context.get("link_version")
    ):
        return False
    if kind == REMINDER:
        responded = await session.execute(
            select(exists().where(ConsultationResponse.consultee_id == consultee.id))
        )
        return not responded.scalar()
    return True


# --- invitations and reminders ---------------------------------------------------------------


async def _invite(
    session: AsyncSession,
    consultation: Consultation,
    document: Document,
    consultees: Sequence[Consultee],
) -> list[Notice]:
    context = await invitation(session, consultation)
    wanted = [c for c in consultees if may_invite(c)]
    return [
        Notice(
            INVITED,
            person,
            {**context, **as_consultee(consultee, with_link=True)},
            document,
            consultee,
        )
        for consultee, person in await reachable(session, consultation, wanted)
    ]


async def _opened(session: AsyncSession, event: events.ConsultationOpened) -> list[Notice]:
    found = await consultation_and_document(session, event.consultation_id)
    if found is None:
        return []
    consultation, document = found
    return await _invite(
        session, consultation, document, await consultees_of(session, consultation)
    )


async def _consultees_added(
    session: AsyncSession, event: events.ConsultationConsulteesAdded
) -> list[Notice]:
    found = await consultation_and_document(session, event.consultation_id)
    if found is None:
        return []
    consultation, document = found
    named = set(event.consultee_ids)
    consultees = [c for c in await consultees_of(session, consultation) if c.id in named]
    return await _invite(session, consultation, document, consultees)


async def reminders_due(session: AsyncSession, now: datetime) -> list[Reminder]:
    """The reminders due at ``now``: to each consultee of an open consultation who has not
    responded, for the nearest threshold reached since they were invited."""
    rows = await session.execute(
        select(Consultation)
        .where(Consultation.status == ConsultationStatus.OPEN, Consultation.closes_at > now)
        .order_by(Consultation.closes_at, Consultation.id)
    )
    due: list[Reminder] = []
    for consultation in rows.scalars().all():
        days = consultation.reminder_days
        if not days or consultation.closes_at - timedelta(days=max(days)) > now:
            continue
        responses = await responses_by_consultee(session, consultation)
        thresholds: dict[uuid.UUID, int] = {}
        waiting: list[Consultee] = []
        for consultee in await consultees_of(session, consultation):
            if not may_invite(consultee) or consultee.id in responses:
                continue
            assert consultee.invited_at is not None
            threshold = closing.reminder_due(
                consultation.closes_at, consultee.invited_at, now, days
            )
            if threshold is not None:
                thresholds[consultee.id] = threshold
                waiting.append(consultee)
        if not waiting:
            continue
        document = await session.get(Document, consultation.document_id)
        if document is None:
            continue
        context = {
            **await invitation(session, consultation),
            "days_left": days_left(consultation.closes_at, now),
        }
        for consultee, person in await reachable(session, consultation, waiting):
            threshold = thresholds[consultee.id]
            due.append(
                Reminder(
                    consultation.organisation_id,
                    f"consultation:{consultation.id}:reminder:{threshold}:{consultee.id}",
                    Notice(
                        REMINDER,
                        person,
                        {
                            **context,
                            **as_consultee(consultee, with_link=True),
                            "reminder_days": threshold,
                        },
                        document,
                        consultee,
                    ),
                )
            )
    return due


# --- responses -------------------------------------------------------------------------------


async def _response_recorded(
    session: AsyncSession, event: events.ConsultationResponseRecorded
) -> list[Notice]:
    # Deemed agreement is recorded by the service at the close: the closing email says so.
    if event.position == DEEMED_AGREEMENT:
        return []
    response = await session.get(ConsultationResponse, event.response_id)
    found = await consultation_and_document(session, event.consultation_id)
    if response is None or found is None:
        return []
    consultation, document = found
    consultee = await session.get(Consultee, response.consultee_id)
    if consultee is None:
        return []
    recorded_by = (
        await session.get(Person, response.recorded_by_id)
        if response.recorded_by_id and response.recorded_by_id != consultee.person_id
        else None
    )
    context = {
        **await about_consultation(session, consultation),
        **as_consultee(consultee),
        "position": event.position,
        "position_words": POSITION_WORDS.get(event.position, event.position),
        "comments": response.comments,
        "submitted_at": response.submitted_at.isoformat(),
        "is_late": event.is_late,
        # A late response taking the place of deemed agreement changes nothing they said.
        "is_amendment": event.is_amendment and response.amendments > 0,
        # Someone else typed it in (the author recording an emailed response, say).
        "recorded_by_name": recorded_by.name if recorded_by else None,
    }
    return [
        Notice("consultation.response_received", person, context, document, consultee)
        for consultee, person in await reachable(session, consultation, [consultee])
    ]


# --- the end of a consultation ---------------------------------------------------------------


def _outcome(response: ConsultationResponse | None) -> str:
    if response is None:
        return "none"
    if response.position == DEEMED_AGREEMENT:
        return DEEMED_AGREEMENT
    return "late" if response.is_late else "received"


async def _closed(session: AsyncSession, event: events.ConsultationClosed) -> list[Notice]:
    found = await consultation_and_document(session, event.consultation_id)
    if found is None:
        return []
    consultation, document = found
    consultees = await consultees_of(session, consultation)
    responses = await responses_by_consultee(session, consultation)
    closed_at = consultation.closed_at or consultation.closes_at
    about = {
        **await about_consultation(session, consultation),
        "closed_at": closed_at.isoformat(),
        # Closed before its deadline (by the author, or a key acting for nobody): the email
        # gives the moment it closed, not the deadline, and silence was not agreement.
        "closed_early": closed_at < consultation.closes_at,
    }
    own: dict[uuid.UUID, dict[str, Any]] = {}
    closed: list[Notice] = []
    for consultee, person in await reachable(session, consultation, consultees):
        response = responses.get(consultee.id)
        position = response.position if response else None
        outcome = {
            "outcome": _outcome(response),
            "position": position,
            "position_words": POSITION_WORDS.get(position, position) if position else None,
        }
        if person is not None:
            own[person.id] = outcome
        context = {**about, **as_consultee(consultee), **outcome}
        closed.append(Notice("consultation.closed", person, context, document, consultee))
    summaries = await _summary(session, consultation, document, consultees, responses, about, own)
    # One email each: someone who gets the summary reads their own outcome in it.
    summarised = {n.person.id for n in summaries if n.person is not None}
    return summaries + [n for n in closed if n.person is None or n.person.id not in summarised]


async def _summary(
    session: AsyncSession,
    consultation: Consultation,
    document: Document,
    consultees: Sequence[Consultee],
    responses: dict[uuid.UUID, ConsultationResponse],
    about: dict[str, Any],
    own: dict[uuid.UUID, dict[str, Any]],
) -> list[Notice]:
    """The author's summary, also to the document's responsible officer and owner; one who
    was consulted as well reads their own outcome in it (``your_response``)."""
    counts = dict.fromkeys(RECORDED_POSITIONS, 0)
    for response in responses.values():
        counts[response.position] = counts.get(response.position, 0) + 1
    silent = [
        c.name
        for c in consultees
        if c.id not in responses or responses[c.id].position == DEEMED_AGREEMENT
    ]
    context = {
        **about,
        "counts": counts,
        "consultees_count": len(consultees),
        "responded_count": sum(counts.values()) - counts[DEEMED_AGREEMENT],
        "late_count": sum(1 for r in responses.values() if r.is_late),
        # Did not respond themselves: with deemed agreement, they are taken to agree.
        "non_responders": silent,
        "report_path": f"/v1/consultations/{consultation.id}/report.html",
    }
    ids = [consultation.opened_by_id, acting_responsible_officer_id(document), document.owner_id]
    people = await active_people_by_id(session, consultation.organisation_id, ids)
    return [
        Notice(
            "consultation.summary",
            people[person_id],
            {
                **context,
                "is_author": person_id == consultation.opened_by_id,
                "your_response": own.get(person_id),
            },
            document,
        )
        for person_id in dict.fromkeys(i for i in ids if i is not None)
        if person_id in people
    ]


async def _cancelled(session: AsyncSession, event: events.ConsultationCancelled) -> list[Notice]:
    found = await consultation_and_document(session, event.consultation_id)
    if found is None:
        return []
    consultation, document = found
    invited = [c for c in await consultees_of(session, consultation) if c.invited_at is not None]
    context = {**await about_consultation(session, consultation), "reason": event.reason}
    return [
        Notice(
            "consultation.cancelled",
            person,
            {**context, **as_consultee(consultee)},
            document,
            consultee,
        )
        for consultee, person in await reachable(session, consultation, invited)
    ]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.ConsultationOpened: _opened,
    events.ConsultationConsulteesAdded: _consultees_added,
    events.ConsultationResponseRecorded: _response_recorded,
    events.ConsultationClosed: _closed,
    events.ConsultationCancelled: _cancelled,
}
