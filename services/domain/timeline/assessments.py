"""Timeline entries for a document's proposal and the assessments of its drafts: the equality
impact assessments, legal reviews and fit-for-purpose checks, and the responsible officer's
statements that nothing material changed between drafts.
"""

from __future__ import annotations

import uuid

from services.domain.gates.coverage import Assessment, assessment_column, what
from services.domain.models.assessments import ProposalStatus
from services.domain.timeline.builder import Builder, quote

EIA_OUTCOME_WORDS = {
    "no_adverse_impact": "no adverse impact",
    "possible_adverse_impact": "possible adverse impact (a full assessment is needed)",
    "adverse_impact_justified": "adverse impact, justified",
    "adverse_impact_found": "adverse impact found (the draft must change)",
}
LEGAL_OUTCOME_WORDS = {
    "no_concerns": "no concerns",
    "changes_advised": "changes advised",
    "not_lawful": "not lawful",
}


def proposal_entries(b: Builder) -> set[uuid.UUID]:
    """Proposal entries; returns the agenda items they account for."""
    used: set[uuid.UUID] = set()
    for proposal in b.rows.proposals:
        refs: dict[str, uuid.UUID | None] = {"proposal_id": proposal.id}
        b.add(
            proposal.created_at,
            "proposal.created",
            f'Proposal "{quote(proposal.title)}" drafted.',
            proposal.id,
            actor_id=proposal.created_by_id,
            refs=refs,
        )
        item = b.rows.items.get(proposal.agenda_item_id) if proposal.agenda_item_id else None
        if item is not None:
            used.add(item.id)
            b.add(
                item.submitted_at,
                "proposal.submitted",
                f'Proposal "{quote(proposal.title)}" submitted for '
                f"{b.meeting_words(item.meeting_id)}.",
                item.id,
                actor_id=item.submitted_by_id,
                refs={**refs, "agenda_item_id": item.id, "meeting_id": item.meeting_id},
            )
        if proposal.decided_at is not None and proposal.status in (
            ProposalStatus.APPROVED,
            ProposalStatus.DECLINED,
        ):
            summary = f'Proposal "{quote(proposal.title)}" {proposal.status}'
            if proposal.decision_note:
                summary += f": {quote(proposal.decision_note)}"
            b.add(
                proposal.decided_at,
                "proposal.decided",
                summary,
                proposal.id,
                refs=refs,
                details={"status": proposal.status},
            )
    return used


def assessment_entries(b: Builder) -> None:
    """The assessments of the drafts: equality impact assessments, legal reviews and
    fit-for-purpose checks."""
    _equality_assessments(b)
    _legal_reviews(b)
    _fitness_checks(b)


def _equality_assessments(b: Builder) -> None:
    for eia in b.rows.assessments:
        kind = "Screening" if eia.kind == "screening" else "Full"
        refs: dict[str, uuid.UUID | None] = {"assessment_id": eia.id, "version_id": eia.version_id}
        b.add(
            eia.created_at,
            "eia.started",
            f"{kind} equality impact assessment of version {b.number(eia.version_id)} started.",
            eia.id,
            actor_id=eia.assessor_id,
            refs=refs,
            details={"kind": eia.kind},
        )
        if eia.completed_at is not None and eia.outcome is not None:
            outcome = EIA_OUTCOME_WORDS.get(eia.outcome, eia.outcome)
            b.add(
                eia.completed_at,
                "eia.completed",
                f"{kind} equality impact assessment of version {b.number(eia.version_id)} "
                f"completed: {outcome}.",
                eia.id,
                actor_id=eia.assessor_id,
                refs=refs,
                details={"kind": eia.kind, "outcome": eia.outcome},
            )


def _legal_reviews(b: Builder) -> None:
    for review in b.rows.legal_reviews:
        refs: dict[str, uuid.UUID | None] = {
            "legal_review_id": review.id,
            "version_id": review.version_id,
        }
        asked = b.name(review.reviewer_id)
        b.add(
            review.created_at,
            "legal_review.requested",
            f"Legal review of version {b.number(review.version_id)} requested"
            + (f" from {asked}" if asked else "")
            + f": {quote(review.question)}",
            review.id,
            actor_id=review.requested_by_id,
            refs={**refs, "reviewer_id": review.reviewer_id},
        )
        if review.answered_at is not None and review.outcome is not None:
            summary = (
                f"Legal review of version {b.number(review.version_id)} answered: "
                f"{LEGAL_OUTCOME_WORDS.get(review.outcome, review.outcome)}"
            )
            if review.advice:
                summary += f". {quote(review.advice)}"
            b.add(
                review.answered_at,
                "legal_review.answered",
                summary,
                review.id,
                actor_id=review.answered_by_id,
                refs=refs,
                details={"outcome": review.outcome},
            )


def _fitness_checks(b: Builder) -> None:
    for check in b.rows.fitness_checks:
        answers = [
            str(a.get("answer")) if isinstance(a, dict) else str(a)
            for a in (check.answers or {}).values()
        ]
        counts = {word: answers.count(word) for word in ("yes", "partly", "no")}
        b.add(
            check.created_at,
            "fitness_check.completed",
            f"Fit-for-purpose check of version {b.number(check.version_id)}: "
            f"{counts['yes']} yes, {counts['partly']} partly, {counts['no']} no.",
            check.id,
            actor_id=check.checked_by_id,
            refs={"fitness_check_id": check.id, "version_id": check.version_id},
            details=counts,
        )


def statement_entries(b: Builder) -> None:
    """The responsible officer's statements that nothing material changed between drafts."""
    assessments: dict[uuid.UUID, Assessment] = {}
    for group in (b.rows.assessments, b.rows.legal_reviews, b.rows.fitness_checks):
        assessments.update((a.id, a) for a in group)
    superseded = {s.supersedes_id: s.id for s in b.rows.statements if s.supersedes_id}
    for statement in b.rows.statements:
        assessment_id = getattr(statement, assessment_column(statement.assessment_kind).key)
        assessed, draft = b.number(statement.assessed_version_id), b.number(statement.version_id)
        summary = (
            f"{b.name(statement.stated_by_id) or 'The responsible officer'} (responsible "
            f"officer) stated that nothing material changed between version {assessed} and "
            f"version {draft}, so the "
            f"{what(statement.assessment_kind, assessments.get(assessment_id))} of {assessed} "
            f"stands for {draft}: {quote(statement.reason)}"
        )
        if statement.supersedes_id is not None:
            summary += " (a correction of an earlier statement)"
        b.add(
            statement.stated_at,
            "no_material_change.stated",
            summary,
            statement.id,
            actor_id=statement.stated_by_id,
            refs={
                "statement_id": statement.id,
                "assessment_id": assessment_id,
                "assessed_version_id": statement.assessed_version_id,
                "version_id": statement.version_id,
                "supersedes_id": statement.supersedes_id,
            },
            details={
                "assessment_kind": statement.assessment_kind,
                "assessed_version": assessed,
                "version": draft,
                "reason": statement.reason,
            },
            superseded_by=superseded.get(statement.id),
        )
