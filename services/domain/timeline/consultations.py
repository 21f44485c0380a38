"""Timeline entries for a document's consultations: scheduled, opened (and widened), each
response (late ones flagged), the close, deemed agreement, the report, or the cancellation.

Cafcass 4.7 and 4.14: the paper trail holds evidence of consultation, a record of every
response received. Who was consulted and what they said is for the document's team and the
policy team (``authz.consultations.can_read_responses``); anyone else who reads the timeline
sees that responses came, not from whom or what they said.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.domain.calendar.words import long_date, long_datetime
from services.domain.clock import LONDON, closing_day
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
    POSITIONS,
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    Consultee,
)
from services.domain.timeline.builder import Builder, plural, quote

KIND_WORDS = {
    "internal": "Internal circulation",
    "pre_meeting": "Pre-meeting circulation",
    "public": "Public consultation",
}
POSITION_WORDS = {
    "support": "support",
    "support_with_comments": "support with comments",
    "object": "object",
    "no_view": "no view",
    DEEMED_AGREEMENT: "deemed agreement",
}
HANDLING_WORDS = {
    "accepted": "accepted",
    "partly_accepted": "partly accepted",
    "not_accepted": "not accepted",
    "no_change_needed": "no change needed",
}
ANONYMOUS = "A consultee"


def _due_words(closes_at: datetime) -> str:
    local = closes_at.astimezone(LONDON)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"responses due by the end of {long_date(closing_day(closes_at))}"
    return f"responses due by {long_datetime(closes_at)}"


def _early(c: Consultation) -> bool:
    """Closed before its closing time (nobody had the time promised: nobody is deemed)."""
    return c.closed_at is not None and c.closed_at < c.closes_at


class _Consultations:
    def __init__(self, b: Builder, sees_consultees: bool) -> None:
        self.b = b
        self.sees_consultees = sees_consultees
        self.consultees_of: dict[uuid.UUID, list[Consultee]] = {}
        for consultee in b.rows.consultees.values():
            self.consultees_of.setdefault(consultee.consultation_id, []).append(consultee)
        self.responses_of: dict[uuid.UUID, list[ConsultationResponse]] = {}
        for response in b.rows.responses:
            self.responses_of.setdefault(response.consultation_id, []).append(response)

    def who(self, consultee: Consultee | None) -> str:
        if consultee is None or not self.sees_consultees:
            return ANONYMOUS
        if consultee.represents:
            return f"{consultee.name} ({consultee.represents})"
        return consultee.name

    def consultee_details(self, consultee: Consultee) -> dict[str, Any]:
        if not self.sees_consultees:
            return {"kind": consultee.kind}
        board = self.b.rows.boards.get(consultee.via_board_id) if consultee.via_board_id else None
        return {
            "consultee_id": str(consultee.id),
            "kind": consultee.kind,
            "name": consultee.name,
            "represents": consultee.represents,
            "via_board": board.name if board is not None else None,
        }

    def title(self, consultation: Consultation) -> str:
        return (
            f'{KIND_WORDS.get(consultation.kind, consultation.kind)} "{quote(consultation.title)}"'
            f" of version {self.b.number(consultation.version_id)}"
        )

    def add_all(self) -> None:
        for consultation in self.b.rows.consultations.values():
            self.opening(consultation)
            for response in self.responses_of.get(consultation.id, []):
                self.response(consultation, response)
            self.ending(consultation)

    def opening(self, c: Consultation) -> None:
        refs: dict[str, uuid.UUID | None] = {
            "consultation_id": c.id,
            "version_id": c.version_id,
            "meeting_id": c.meeting_id,
        }
        everyone = self.consultees_of.get(c.id, [])
        if c.opens_at > c.created_at:
            self.b.add(
                c.created_at,
                "consultation.scheduled",
                f"{self.title(c)} scheduled to open on {long_datetime(c.opens_at)}",
                c.id,
                actor_id=c.opened_by_id,
                refs=refs,
                details={"kind": c.kind, "opens_at": c.opens_at.isoformat()},
            )
        if c.opened_at is None:
            return
        # Boards are expanded when it opens: everyone added by then was asked at the opening.
        at_opening = [x for x in everyone if x.added_at <= c.opened_at]
        summary = f"{self.title(c)} opened: {plural(len(at_opening), 'consultee')}"
        if self.sees_consultees and at_opening:
            summary += f" ({', '.join(self.who(x) for x in at_opening)})"
        summary += f"; {_due_words(c.closes_at)}"
        if c.deemed_agreement:
            # Birmingham: no response by the deadline counts as agreement.
            summary += "; silence by the deadline counts as agreement"
        self.b.add(
            c.opened_at,
            "consultation.opened",
            summary,
            c.id,
            actor_id=c.opened_by_id,
            refs=refs,
            details={
                "kind": c.kind,
                "title": c.title,
                "closes_at": c.closes_at.isoformat(),
                "deemed_agreement": c.deemed_agreement,
                "questions": len(c.questions),
                "consultees": [self.consultee_details(x) for x in at_opening],
            },
        )
        later: dict[datetime, list[Consultee]] = {}
        for consultee in everyone:
            if consultee.added_at > c.opened_at:
                later.setdefault(consultee.added_at, []).append(consultee)
        for moment, added in later.items():
            summary = f"{plural(len(added), 'consultee')} added to {self.title(c)}"
            if self.sees_consultees:
                summary += f": {', '.join(self.who(x) for x in added)}"
            self.b.add(
                moment,
                "consultation.consultees_added",
                summary,
                added[0].id,
                refs={"consultation_id": c.id},
                details={"consultees": [self.consultee_details(x) for x in added]},
            )

    def response(self, c: Consultation, r: ConsultationResponse) -> None:
        consultee = self.b.rows.consultees.get(r.consultee_id)
        refs: dict[str, uuid.UUID | None] = {
            "consultation_id": c.id,
            "response_id": r.id,
            "consultee_id": r.consultee_id if self.sees_consultees else None,
        }
        if r.position == DEEMED_AGREEMENT:
            self.deemed(c, r, consultee, r.submitted_at, refs)
            return
        if r.is_late and c.deemed_agreement and c.closed_at is not None and not _early(c):
            # Deemed to agree at the deadline, until this late response replaced it.
            self.deemed(c, r, consultee, c.closes_at, refs, replaced_at=r.submitted_at)
        person_id = consultee.person_id if consultee is not None else None
        on_behalf = r.recorded_by_id is not None and r.recorded_by_id != person_id
        summary = f"{self.who(consultee)} responded: {POSITION_WORDS.get(r.position, r.position)}"
        if self.sees_consultees and r.comments.strip():
            summary += f'. "{quote(r.comments)}"'
        notes = []
        if r.is_late:
            notes.append("late, after the close")
        if r.amendments:
            notes.append(f"changed {plural(r.amendments, 'time')} before the close")
        recorder = self.b.name(r.recorded_by_id) if on_behalf else None
        if recorder:
            notes.append(f"recorded by {recorder}")
        if notes:
            summary += "; " + "; ".join(notes)
        details: dict[str, Any] = {
            "position": r.position,
            "is_late": r.is_late,
            "amendments": r.amendments,
        }
        if self.sees_consultees:
            details.update(
                consultee=self.consultee_details(consultee) if consultee is not None else None,
                comments=r.comments,
                answers=dict(r.answers or {}),
                themes=list(r.themes or ()),
                handling=r.handling,
                handling_words=HANDLING_WORDS.get(r.handling) if r.handling else None,
                handling_note=r.handling_note,
                addressed_in_version=(
                    self.b.number(r.addressed_in_version_id) if r.addressed_in_version_id else None
                ),
            )
        self.b.add(
            r.submitted_at,
            "consultation.response",
            summary,
            r.id,
            # A person answering for themselves acted; an external consultee has no account.
            actor_id=(r.recorded_by_id or person_id) if self.sees_consultees else None,
            refs={**refs, "recorded_by_id": r.recorded_by_id if on_behalf else None},
            details=details,
        )

    def deemed(
        self,
        c: Consultation,
        r: ConsultationResponse,
        consultee: Consultee | None,
        at: datetime,
        refs: dict[str, uuid.UUID | None],
        *,
        replaced_at: datetime | None = None,
    ) -> None:
        summary = f"{self.who(consultee)} did not respond by the deadline: deemed agreement"
        if replaced_at is not None:
            summary += f" (replaced by a late response on {long_datetime(replaced_at)})"
        self.b.add(
            at,
            "consultation.deemed_agreement",
            summary,
            # Not the response's own id: a replaced deemed agreement has an entry of its own.
            uuid.uuid5(r.id, "deemed"),
            refs=refs,
            details={
                "consultee_name": (
                    consultee.name if consultee is not None and self.sees_consultees else None
                ),
                "replaced_by_late_response": replaced_at is not None,
            },
        )

    def ending(self, c: Consultation) -> None:
        refs: dict[str, uuid.UUID | None] = {"consultation_id": c.id}
        if c.status == ConsultationStatus.CANCELLED:
            self.b.add(
                c.closed_at,
                "consultation.cancelled",
                f'Consultation "{quote(c.title)}" cancelled: {quote(c.cancel_reason)}',
                c.id,
                actor_id=c.closed_by_id,
                refs=refs,
                details={"reason": c.cancel_reason},
            )
            return
        if c.status != ConsultationStatus.CLOSED or c.closed_at is None:
            return
        responses = self.responses_of.get(c.id, [])
        consultees = self.consultees_of.get(c.id, [])
        in_time = [r for r in responses if r.position != DEEMED_AGREEMENT and not r.is_late]
        late = [r for r in responses if r.position != DEEMED_AGREEMENT and r.is_late]
        early = _early(c)
        # As it stood at the close: a late response has since replaced a deemed agreement.
        deemed = sum(r.position == DEEMED_AGREEMENT for r in responses) + (
            len(late) if c.deemed_agreement and not early else 0
        )
        how = "closed early" if early else "closed at its deadline"
        counts = [plural(len(in_time), "response")]
        if deemed:
            counts.append(f"{deemed} deemed agreement")
        silent = len(consultees) - len(in_time) - deemed
        if silent:
            counts.append(f"{silent} no response")
        self.b.add(
            c.closed_at,
            "consultation.closed",
            f'Consultation "{quote(c.title)}" {how}: {", ".join(counts)}',
            c.id,
            actor_id=c.closed_by_id,
            refs=refs,
            details={
                "closed_early": early,
                "closes_at": c.closes_at.isoformat(),
                "responses": len(in_time),
                "deemed_agreement": deemed,
                "no_response": silent,
            },
        )
        self.report(c, responses, consultees)

    def report(
        self, c: Consultation, responses: Sequence[ConsultationResponse], consultees: list[Any]
    ) -> None:
        """Cafcass 4.7: the report is produced at the close; the entry says what it holds now."""
        real = [r for r in responses if r.position != DEEMED_AGREEMENT]
        positions = Counter(r.position for r in real)
        themes = Counter(t for r in real for t in (r.themes or ()))
        deemed = len(responses) - len(real)
        late = sum(r.is_late for r in real)
        awaiting = sum(1 for r in real if r.comments.strip() and r.handling is None)
        counted = ", ".join(
            f"{positions[p]} {POSITION_WORDS[p]}" for p in POSITIONS if positions[p]
        )
        summary = (
            f"Consultation report: {len(real)} of {plural(len(consultees), 'consultee')} "
            f"responded" + (f" ({counted})" if counted else "")
        )
        if late:
            summary += f", {late} late"
        if deemed:
            summary += f"; {deemed} deemed agreement"
        silent = len(consultees) - len(responses)
        if silent:
            summary += f"; {silent} no response"
        if themes and self.sees_consultees:
            summary += "; themes: " + ", ".join(
                f"{theme} ({count})" for theme, count in themes.most_common(5)
            )
        if awaiting:
            summary += f"; {plural(awaiting, 'comment')} not yet handled"
        path = f"/v1/consultations/{c.id}/report"
        self.b.add(
            c.closed_at,
            "consultation.report",
            summary,
            c.id,
            refs={"consultation_id": c.id},
            details={
                "counts": {
                    "consultees": len(consultees),
                    "responded": len(real),
                    "late": late,
                    "deemed": deemed,
                    "not_responded": silent,
                    "awaiting_handling": awaiting,
                },
                "by_position": {p: positions[p] for p in POSITIONS},
                # What the comments were about, and the report itself, name and quote people.
                **(
                    {
                        "themes": dict(themes.most_common()),
                        "paths": {"json": path, "csv": f"{path}.csv", "html": f"{path}.html"},
                    }
                    if self.sees_consultees
                    else {}
                ),
            },
        )


def consultation_entries(b: Builder, *, sees_consultees: bool) -> None:
    """Every consultation of the document, from its opening to its report."""
    _Consultations(b, sees_consultees).add_all()
