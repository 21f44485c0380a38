"""The gates a route requires before sign-off: which of them a version has not passed yet.

The sign-off engine asks before a draft is submitted; readiness shows the same answer. Pure
reads: nothing here changes anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.assessments.fitness import is_complete
from services.domain.assessments.models import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    Proposal,
)
from services.domain.consultations.closing import closing_day
from services.domain.consultations.models import Consultation
from services.domain.documents.models import Document, DocumentVersion
from services.domain.organisations.words import words_for
from services.domain.routes.definition import GATES


@dataclass(frozen=True)
class MissingGate:
    gate: str  # one of services.domain.routes.definition.GATES
    detail: str  # what is missing, in words a policy officer understands


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
    if "approved" in statuses:
        return None
    if "submitted" in statuses:
        return "The proposal for this document is waiting for the board's decision."
    words = await words_for(session, document.organisation_id)
    return (
        "No proposal (business case) for this document has been approved by a board: "
        f"submit one to the board{words.cite('business_case')}."
    )


async def _eia_screened(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """LBBD 5, Cafcass 4.8: the latest completed assessment must not leave impact unresolved.

    The assessment that counts is the completed one of the latest version assessed up to this
    one (and of those, the last completed): a screening of a later draft replaces an earlier
    full assessment, and a full assessment replaces the screening of the same draft.
    """
    latest = (
        await session.execute(
            select(EqualityAssessment, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == EqualityAssessment.version_id)
            .where(
                EqualityAssessment.document_id == document.id,
                EqualityAssessment.status == "completed",
                _up_to(version),
            )
            .order_by(
                DocumentVersion.major.desc(),
                DocumentVersion.minor.desc(),
                EqualityAssessment.completed_at.desc(),
            )
            .limit(1)
        )
    ).first()
    # Each organisation cites its own screening tool and rules, or none (LBBD: its EIA
    # Screening Tool; Cafcass: appendix 2 and 4.8).
    words = await words_for(session, document.organisation_id)
    if latest is None:
        return (
            "No equality impact screening has been completed for this draft or an earlier "
            f"one: complete a screening{words.cite('equality_screening')}."
        )
    assessment, assessed = latest
    if assessment.outcome == "possible_adverse_impact":
        return (
            f"The equality impact screening of version {assessed.number} found possible "
            "adverse impact: complete a full EIA."
        )
    if assessment.outcome == "adverse_impact_found":
        return (
            f"The full equality impact assessment of version {assessed.number} found adverse "
            f"impact: change the draft and assess it again{words.cite('equality_reassessment')}."
        )
    return None


async def _legal_review(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """LBBD 7: no legal question about the draft is left open or unresolved.

    Kept simple: every review asked on this version or an earlier one must be answered; a
    review answered "not_lawful" blocks until a review of a later version is answered with
    another outcome (the draft was changed and the lawyers are content). With no review asked
    at all the gate passes: it guards against signing off while legal advice is awaited or
    against it, not that a review was asked (the route's stages and the fitness checklist,
    question 4, cover that).
    """
    rows = (
        await session.execute(
            select(LegalReview, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == LegalReview.version_id)
            .where(LegalReview.document_id == document.id, _up_to(version))
            .order_by(DocumentVersion.major, DocumentVersion.minor, LegalReview.created_at)
        )
    ).all()
    unanswered = list(dict.fromkeys(v.number for r, v in rows if r.answered_at is None))
    if len(unanswered) == 1:
        return f"The legal review asked about version {unanswered[0]} has not been answered yet."
    if unanswered:
        return (
            f"The legal reviews asked about versions {', '.join(unanswered)} have not been "
            "answered yet."
        )
    refused = [v for r, v in rows if r.outcome == "not_lawful"]
    if refused:
        last = max(refused, key=lambda v: (v.major, v.minor))
        cleared = any(
            (v.major, v.minor) > (last.major, last.minor) and r.outcome not in (None, "not_lawful")
            for r, v in rows
        )
        if not cleared:
            return (
                f"Legal advice on version {last.number} is that it is not lawful: change the "
                "draft and ask for a legal review of the new version."
            )
    return None


async def _fit_for_purpose(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """Cafcass appendix 3: the checklist answered for exactly the draft submitted."""
    checks = (
        await session.execute(select(FitnessCheck).where(FitnessCheck.version_id == version.id))
    ).scalars()
    if any(is_complete(check.answers) for check in checks):
        return None
    words = await words_for(session, document.organisation_id)
    return (
        f"The fit-for-purpose checklist{words.cite('fit_for_purpose')} has not been answered "
        f"for version {version.number}: answer it for the draft submitted."
    )


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
                Consultation.status != "cancelled",
                _up_to(version),
            )
            .order_by(Consultation.closes_at)
        )
    ).all()
    if any(consultation.status == "closed" for consultation, _ in rows):
        return None
    if rows:
        consultation, consulted = rows[0]
        day = closing_day(consultation.closes_at)
        state = "is open" if consultation.status == "open" else "has not opened yet"
        return (
            f"The consultation on version {consulted.number} {state}; it closes at the end "
            f"of {day:%A %d %B %Y}."
        )
    return "No consultation on this draft or an earlier one has closed: consult on the draft first."


Check = Callable[[AsyncSession, Document, DocumentVersion], Awaitable[str | None]]
CHECKS: dict[str, Check] = {
    "proposal_approved": _proposal_approved,
    "eia_screened": _eia_screened,
    "consultation_closed": _consultation_closed,
    "legal_review": _legal_review,
    "fit_for_purpose": _fit_for_purpose,
}
assert set(CHECKS) == set(GATES), "every gate a route may name has its check"


async def missing_gates(
    session: AsyncSession, document: Document, version: DocumentVersion, gates: Sequence[str]
) -> list[MissingGate]:
    """The gates of ``gates`` the version has not passed, in the order given (once each).

    ValueError for a name that is not a gate (route definitions are validated against GATES).
    """
    missing = []
    for gate in dict.fromkeys(gates):
        if gate not in CHECKS:
            raise ValueError(f"{gate!r} is not a gate; gates are {', '.join(GATES)}.")
        detail = await CHECKS[gate](session, document, version)
        if detail is not None:
            missing.append(MissingGate(gate=gate, detail=detail))
    return missing
