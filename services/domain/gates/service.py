"""The gates a route requires before sign-off: which of them a version has passed, and how.

The sign-off engine asks before a draft is submitted; readiness shows the same answer, gate by
gate. The EIA, legal review and fitness gates are met by an assessment of the draft itself,
or of an earlier draft carried to it by the responsible officer's statement that nothing
material changed (``coverage``). Pure reads: nothing here changes anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.calendar.words import long_date
from services.domain.clock import closing_day
from services.domain.gates.communication import communication_plan_ready
from services.domain.gates.coverage import Standing, carrying_statement, standing_assessment
from services.domain.gates.engagement import engagement_session_held
from services.domain.gates.template import template_followed
from services.domain.gates.tracked import changes_tracked
from services.domain.governance.definition import GATES
from services.domain.models.assessments import (
    LegalReview,
    NoMaterialChangeStatement,
    Proposal,
    ProposalStatus,
)
from services.domain.models.consultations import Consultation, ConsultationStatus
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.people import Person
from services.domain.organisations.words import words_for


@dataclass(frozen=True)
class GateStatus:
    """A gate for one draft: met or not, and in words what meets it or what is missing."""

    gate: str  # one of services.domain.governance.definition.GATES
    is_met: bool
    detail: str  # in words a policy officer understands
    # The assessment that stands for the draft (EIA, legal review, fitness check gates): the
    # one that meets the gate, or the earlier draft's that does not reach this one.
    standing: Standing | None = None
    # The responsible officer's statement that carries it to this draft, and who made it.
    statement: NoMaterialChangeStatement | None = None
    stated_by_name: str | None = None


@dataclass(frozen=True)
class MissingGate:
    gate: str  # one of services.domain.governance.definition.GATES
    detail: str  # what is missing, in words a policy officer understands
    standing: Standing | None = None  # the assessment that stands but does not meet it


def _up_to(version: DocumentVersion) -> ColumnElement[bool]:
    """Versions of the document numbered no later than ``version``."""
    return tuple_(DocumentVersion.major, DocumentVersion.minor) <= (version.major, version.minor)


async def _proposal_approved(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """Cafcass step 1, LBBD 2: a business case for the document was approved to proceed."""
    statuses = set(
        (
            await session.execute(
                select(Proposal.status).where(Proposal.document_id == document.id)
            )
        ).scalars()
    )
    if ProposalStatus.APPROVED in statuses:
        return None
    if ProposalStatus.SUBMITTED in statuses:
        return "The proposal for this document is waiting for the board's decision."
    words = await words_for(session, document.organisation_id)
    return (
        "No proposal (business case) for this document has been approved by a board: "
        f"submit one to the board{words.cite('business_case')}."
    )


def _quote(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What to do about a draft that an earlier draft's assessment does not cover.
AGAIN = {
    "equality_assessment": "screen {v}",
    "legal_review": "ask the legal team about {v}",
    "fitness_check": "answer the checklist for {v}",
}


async def _covered(
    session: AsyncSession, gate: str, standing: Standing, version: DocumentVersion
) -> GateStatus:
    """A passing assessment meets the gate for its own draft, or for a later one it is carried
    to by the responsible officer's statement that nothing material changed in between."""
    if standing.version.id == version.id:
        return GateStatus(
            gate, True, f"Met by {standing.describe()} ({standing.result()}).", standing
        )
    statement = await carrying_statement(session, standing, version)
    if statement is None:
        again = AGAIN[standing.kind].format(v=version.number)
        return GateStatus(
            gate,
            False,
            f"{_capital(standing.describe())} does not cover version {version.number}: "
            f"{again}, or the responsible officer states that nothing material changed since "
            f"{standing.version.number}.",
            standing,
        )
    person = await session.get(Person, statement.stated_by_id)
    name = person.name if person is not None else "the responsible officer"
    return GateStatus(
        gate,
        True,
        f"Met by {standing.describe()} ({standing.result()}), carried to version "
        f"{version.number} by {name}'s statement of {long_date(statement.stated_at)} that "
        f"nothing material changed: {_quote(statement.reason)}",
        standing,
        statement,
        name,
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


async def _eia_screened(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> GateStatus:
    """LBBD 5, Cafcass 4.8: the draft was screened (and fully assessed if the screening found
    possible adverse impact) with no unresolved adverse impact."""
    gate = "eia_screened"
    # Each organisation cites its own screening tool and rules, or none (LBBD: its EIA
    # Screening Tool; Cafcass: appendix 2 and 4.8).
    words = await words_for(session, document.organisation_id)
    standing = await standing_assessment(session, document.id, version, "equality_assessment")
    if standing is None:
        return GateStatus(
            gate,
            False,
            "No equality impact screening has been completed for this draft or an earlier "
            f"one: complete a screening{words.cite('equality_screening')}.",
        )
    assessed = standing.version.number
    if standing.outcome == "possible_adverse_impact":
        of = "" if standing.version.id == version.id else f" of version {version.number}"
        return GateStatus(
            gate,
            False,
            f"The equality impact screening of version {assessed} found possible adverse "
            f"impact: complete a full EIA{of}.",
            standing,
        )
    if standing.outcome == "adverse_impact_found":
        return GateStatus(
            gate,
            False,
            f"The full equality impact assessment of version {assessed} found adverse impact: "
            f"change the draft and assess it again{words.cite('equality_reassessment')}.",
            standing,
        )
    return await _covered(session, gate, standing, version)


async def _legal_review(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> GateStatus:
    """LBBD 7: the legal review the draft was found to need has been answered, for this draft.

    LBBD 7 asks for a legal review only when the draft needs one ("If no, skip this step"),
    so with no review asked at all the gate is met. Once one is asked, every review asked up
    to this draft must be answered, the last answered draft must not have been found unlawful,
    and the answer must be about this draft or be carried to it by the responsible officer's
    statement that nothing material changed since.
    """
    gate = "legal_review"
    asked = (
        await session.execute(
            select(LegalReview.answered_at, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == LegalReview.version_id)
            .where(LegalReview.document_id == document.id, _up_to(version))
            .order_by(DocumentVersion.major, DocumentVersion.minor, LegalReview.created_at)
        )
    ).all()
    if not asked:
        return GateStatus(
            gate,
            True,
            "No legal review was asked for: a draft has one only when it needs one (LBBD 7).",
        )
    unanswered = list(dict.fromkeys(v.number for answered_at, v in asked if answered_at is None))
    if len(unanswered) == 1:
        detail = f"The legal review asked about version {unanswered[0]} has not been answered yet."
        return GateStatus(gate, False, detail)
    if unanswered:
        return GateStatus(
            gate,
            False,
            f"The legal reviews asked about versions {', '.join(unanswered)} have not been "
            "answered yet.",
        )
    standing = await standing_assessment(session, document.id, version, "legal_review")
    assert standing is not None  # every review asked has been answered
    if not standing.passes:
        return GateStatus(
            gate,
            False,
            f"Legal advice on version {standing.version.number} is that it is not lawful: "
            "change the draft and ask for a legal review of the new version.",
            standing,
        )
    return await _covered(session, gate, standing, version)


async def _fit_for_purpose(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> GateStatus:
    """Cafcass appendix 3: the checklist answered for the draft submitted."""
    gate = "fit_for_purpose"
    words = await words_for(session, document.organisation_id)
    standing = await standing_assessment(session, document.id, version, "fitness_check")
    if standing is None:
        return GateStatus(
            gate,
            False,
            f"The fit-for-purpose checklist{words.cite('fit_for_purpose')} has not been answered "
            f"for version {version.number}: answer it for the draft submitted.",
        )
    return await _covered(session, gate, standing, version)


async def _consultation_closed(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """Every seed: the draft (or an earlier one) was consulted on and the consultation closed.

    A cancelled consultation counts for nothing; one still open or scheduled is named with
    its closing day so the officer knows when the gate will pass.
    """
    rows = (
        await session.execute(
            select(Consultation, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == Consultation.version_id)
            .where(
                Consultation.document_id == document.id,
                Consultation.status != ConsultationStatus.CANCELLED,
                _up_to(version),
            )
            .order_by(Consultation.closes_at)
        )
    ).all()
    if any(consultation.status == ConsultationStatus.CLOSED for consultation, _ in rows):
        return None
    if rows:
        consultation, consulted = rows[0]
        day = closing_day(consultation.closes_at)
        state = (
            "is open" if consultation.status == ConsultationStatus.OPEN else "has not opened yet"
        )
        return (
            f"The consultation on version {consulted.number} {state}; it closes at the end "
            f"of {day:%A %d %B %Y}."
        )
    return "No consultation on this draft or an earlier one has closed: consult on the draft first."


def _plain(
    gate: str, check: Callable[[AsyncSession, Document, DocumentVersion], Awaitable[str | None]]
) -> Check:
    """A gate met by a record of the document rather than of one draft."""

    async def status(
        session: AsyncSession, document: Document, version: DocumentVersion
    ) -> GateStatus:
        detail = await check(session, document, version)
        if detail is None:
            return GateStatus(gate, True, MET[gate])
        return GateStatus(gate, False, detail)

    return status


def _worded(
    gate: str,
    check: Callable[[AsyncSession, Document, DocumentVersion], Awaitable[tuple[bool, str]]],
) -> Check:
    """A gate whose check says in words both why it is met and why not."""

    async def status(
        session: AsyncSession, document: Document, version: DocumentVersion
    ) -> GateStatus:
        is_met, detail = await check(session, document, version)
        return GateStatus(gate, is_met, detail)

    return status


MET = {
    "proposal_approved": "Met: a board approved the proposal (business case) for this document.",
    "consultation_closed": "Met: a consultation on this draft or an earlier one has closed.",
    "engagement_session_held": "Met: a workshop or review session on this draft (or an "
    "earlier one since the last issue) was held.",
    "communication_plan_ready": "Met: the draft carries a communication plan (who is told, "
    "how and when).",
}
Check = Callable[[AsyncSession, Document, DocumentVersion], Awaitable[GateStatus]]
CHECKS: dict[str, Check] = {
    "proposal_approved": _plain("proposal_approved", _proposal_approved),
    "eia_screened": _eia_screened,
    "consultation_closed": _plain("consultation_closed", _consultation_closed),
    "legal_review": _legal_review,
    "fit_for_purpose": _fit_for_purpose,
    "engagement_session_held": _plain("engagement_session_held", engagement_session_held),
    "changes_tracked": _worded("changes_tracked", changes_tracked),
    "template_followed": _worded("template_followed", template_followed),
    "communication_plan_ready": _plain("communication_plan_ready", communication_plan_ready),
}
assert set(CHECKS) == set(GATES), "every gate a route may name has its check"


async def check_gates(
    session: AsyncSession, document: Document, version: DocumentVersion, gates: Sequence[str]
) -> list[GateStatus]:
    """Each gate of ``gates`` for the version, in the order given (once each): met or not, and
    what meets it or what is missing.

    ValueError for a name that is not a gate (route definitions are validated against GATES).
    """
    found = []
    for gate in dict.fromkeys(gates):
        if gate not in CHECKS:
            raise ValueError(f"{gate!r} is not a gate; gates are {', '.join(GATES)}.")
        found.append(await CHECKS[gate](session, document, version))
    return found


async def missing_gates(
    session: AsyncSession, document: Document, version: DocumentVersion, gates: Sequence[str]
) -> list[MissingGate]:
    """The gates of ``gates`` the version has not passed, in the order given (once each)."""
    return [
        MissingGate(gate=s.gate, detail=s.detail, standing=s.standing)
        for s in await check_gates(session, document, version, gates)
        if not s.is_met
    ]


def evidence_of(standing: Standing | None) -> dict[str, Any] | None:
    """The assessment a gate rests on, as readiness and the submit problem name it (JSON)."""
    if standing is None:
        return None
    return {
        "kind": standing.kind,
        "id": str(standing.assessment.id),
        "version_id": str(standing.version.id),
        "version_number": standing.version.number,
        "result": standing.result(),
    }


def statement_of(status: GateStatus) -> dict[str, Any] | None:
    """The statement that carries the assessment to the draft, with who made it and when."""
    statement = status.statement
    if statement is None:
        return None
    return {
        "id": statement.id,
        "assessed_version_id": statement.assessed_version_id,
        "reason": statement.reason,
        "stated_by_id": statement.stated_by_id,
        "stated_by_name": status.stated_by_name,
        "stated_at": statement.stated_at,
    }
