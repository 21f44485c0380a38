"""A document's paper trail, for Freedom of Information requests: who saw and decided what, when.

Everything recorded about the document (versions, the proposal, assessments, consultations and
every response, board items and decisions, sign-off stages and decisions, the issue, Trix
publications, reviews and their outcomes, Update Plan items, the emails sent) in one list
ordered by time. Superseded decisions stay, marked with what superseded them. Each table is read
once and people's names in one more query, however long the history (Cafcass 4.14).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import consultations as consultation_authz
from services.domain.authz import documents as authz
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.clock import LONDON
from services.domain.gates.coverage import Assessment, assessment_column, what
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.sign_off import Delegation, SignOffDecision
from services.domain.timeline.builder import Builder as _Builder
from services.domain.timeline.builder import TimelineEntry
from services.domain.timeline.builder import capital as _capital
from services.domain.timeline.builder import day as _day
from services.domain.timeline.builder import quote as _quote
from services.domain.timeline.consultations import consultation_entries
from services.domain.timeline.notices import notification_entries
from services.domain.timeline.reviews import review_entries
from services.domain.timeline.rows import TimelineRows, load_rows

# Entries at the same moment read in the order things happen (a sign-off is submitted before
# its first stage starts; a version is added before it is issued).
ORDER = (
    "proposal.created",
    "proposal.submitted",
    "proposal.decided",
    "version.added",
    "eia.started",
    "eia.completed",
    "legal_review.requested",
    "legal_review.answered",
    "fitness_check.completed",
    "no_material_change.stated",
    "consultation.scheduled",
    "consultation.opened",
    "consultation.consultees_added",
    "consultation.response",
    "consultation.closed",
    "consultation.deemed_agreement",
    "consultation.report",
    "consultation.cancelled",
    "agenda_item.planned",
    "meeting.decision",
    "sign_off.submitted",
    "sign_off.stage_started",
    "sign_off.decision",
    "document.issued",
    "document.withdrawn",
    "sign_off.closed",
    "publication.cancelled",
    "publication.queued",
    "publication.done",
    "review.started",
    "review.document_added",
    "review.no_change_stated",
    "review.no_change_refused",
    "review.amended",
    "review.completed",
    "review.cancelled",
    "update_cycle_item.assigned",
    "update_cycle_item.decided",
    "update_cycle_item.carried_over",
    "paper_trail.exported",
    # An email follows what it tells of.
    "notification.email",
)
RANK = {kind: position for position, kind in enumerate(ORDER)}

OUTCOME_WORDS = {
    "approved": "approved",
    "approved_with_conditions": "approved with conditions",
    "deferred": "deferred",
    "rejected": "rejected",
    "noted": "noted",
    "referred": "referred",
}
ASK_WORDS = {
    "decision": "for a decision",
    "review_approval": "for approval of a review",
    "information": "for information",
    "new_proposal": "as a new proposal",
}
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
CLOSED_WORDS = {
    "completed": "completed",
    "rejected": "ended: rejected",
    "withdrawn": "withdrawn",
    "ratification_refused": "ended: ratification refused",
    "issued": "issued",
}


def _versions(b: _Builder) -> None:
    sign_off_of = {s.issued_version_id: s.id for s, _, _ in b.rows.sign_offs.values()}
    for version in b.rows.versions.values():
        who = b.name(version.uploaded_by_id)
        state = "issued" if version.is_issued else "draft"
        summary = f"Version {version.number} ({state}) uploaded" + (f" by {who}" if who else "")
        if version.change_summary:
            summary += f": {_quote(version.change_summary)}"
        b.add(
            version.created_at,
            "version.added",
            summary,
            version.id,
            actor_id=version.uploaded_by_id,
            refs={"version_id": version.id},
            details={"number": version.number, "is_issued": version.is_issued},
        )
        if not version.is_issued or version.issued_on is None:
            continue
        summary = f"Version {version.number} issued on {_day(version.issued_on)}"
        if version.effective_on is not None:
            summary += f", in force from {_day(version.effective_on)}"
        if version.superseded_on is not None:
            summary += f"; superseded on {_day(version.superseded_on)}"
        if version.withdrawn_at is not None:
            summary += f"; withdrawn on {_day(version.withdrawn_at.astimezone(LONDON).date())}"
        b.add(
            version.created_at,
            "document.issued",
            summary,
            version.id,
            actor_id=version.uploaded_by_id,
            refs={"version_id": version.id, "sign_off_id": sign_off_of.get(version.id)},
            details={
                "number": version.number,
                "issued_on": version.issued_on.isoformat(),
                "effective_on": version.effective_on.isoformat() if version.effective_on else None,
                "superseded_on": (
                    version.superseded_on.isoformat() if version.superseded_on else None
                ),
            },
        )
        if version.withdrawn_at is not None:
            _withdrawal(b, version, sign_off_of.get(version.id))


def _withdrawal(b: _Builder, version: DocumentVersion, sign_off_id: uuid.UUID | None) -> None:
    """Dorset 4.5.2: an issued version withdrawn, and what is in force after it."""
    assert version.withdrawn_at is not None
    issued = [v for v in b.rows.versions.values() if v.is_issued and v.id != version.id]
    later = [
        v
        for v in issued
        if v.major > version.major and v.created_at <= version.withdrawn_at and not v.withdrawn_at
    ]
    found = b.rows.sign_offs.get(sign_off_id) if sign_off_id is not None else None
    before_issue = (found[0].before_issue if found is not None else None) or {}
    previous_id = before_issue.get("issued_version_id")
    earlier = [v for v in issued if v.major < version.major and v.withdrawn_at is None]
    previous = (
        b.rows.versions.get(uuid.UUID(previous_id))
        if previous_id
        else max(earlier, key=lambda v: v.major, default=None)
    )
    if later:
        in_force = max(later, key=lambda v: v.major)
        words = f"version {in_force.number}, issued since, stays in force"
    elif previous is not None:
        in_force, words = previous, f"version {previous.number} is in force again"
    else:
        in_force, words = None, "no version is in force"
    b.add(
        version.withdrawn_at,
        "document.withdrawn",
        f"Version {version.number} withdrawn: {_quote(version.withdrawn_reason or '')}; {words}",
        version.id,
        refs={
            "version_id": version.id,
            "sign_off_id": sign_off_id,
            "in_force_version_id": in_force.id if in_force is not None else None,
        },
        details={
            "number": version.number,
            "reason": version.withdrawn_reason,
            "in_force": in_force.number if in_force is not None else None,
        },
    )


def _proposals(b: _Builder) -> set[uuid.UUID]:
    """Proposal entries; returns the agenda items they account for."""
    used: set[uuid.UUID] = set()
    for proposal in b.rows.proposals:
        refs: dict[str, uuid.UUID | None] = {"proposal_id": proposal.id}
        b.add(
            proposal.created_at,
            "proposal.created",
            f'Proposal "{_quote(proposal.title)}" drafted.',
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
                f'Proposal "{_quote(proposal.title)}" submitted for '
                f"{b.meeting_words(item.meeting_id)}.",
                item.id,
                actor_id=item.submitted_by_id,
                refs={**refs, "agenda_item_id": item.id, "meeting_id": item.meeting_id},
            )
        if proposal.decided_at is not None and proposal.status in ("approved", "declined"):
            summary = f'Proposal "{_quote(proposal.title)}" {proposal.status}'
            if proposal.decision_note:
                summary += f": {_quote(proposal.decision_note)}"
            b.add(
                proposal.decided_at,
                "proposal.decided",
                summary,
                proposal.id,
                refs=refs,
                details={"status": proposal.status},
            )
    return used


def _assessments(b: _Builder) -> None:
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
    for review in b.rows.legal_reviews:
        refs = {"legal_review_id": review.id, "version_id": review.version_id}
        asked = b.name(review.reviewer_id)
        b.add(
            review.created_at,
            "legal_review.requested",
            f"Legal review of version {b.number(review.version_id)} requested"
            + (f" from {asked}" if asked else "")
            + f": {_quote(review.question)}",
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
                summary += f". {_quote(review.advice)}"
            b.add(
                review.answered_at,
                "legal_review.answered",
                summary,
                review.id,
                actor_id=review.answered_by_id,
                refs=refs,
                details={"outcome": review.outcome},
            )
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


def _statements(b: _Builder) -> None:
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
            f"stands for {draft}: {_quote(statement.reason)}"
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


def _board_items(b: _Builder, proposal_items: set[uuid.UUID]) -> None:
    for item in b.rows.items.values():
        if item.id in proposal_items:
            continue
        summary = (
            f'"{_quote(item.title)}" put on the forward plan for '
            f"{b.meeting_words(item.meeting_id)} {ASK_WORDS.get(item.ask, item.ask)}"
        )
        if item.version_id is not None:
            summary += f", with version {b.number(item.version_id)}"
        if item.requested_meeting_id != item.meeting_id:
            summary += f" (asked for {b.meeting_words(item.requested_meeting_id)})"
        if item.is_late:
            summary += "; submitted late"
        if item.status == "withdrawn":
            summary += "; since withdrawn"
        b.add(
            item.submitted_at,
            "agenda_item.planned",
            summary,
            item.id,
            actor_id=item.submitted_by_id,
            refs={
                "agenda_item_id": item.id,
                "meeting_id": item.meeting_id,
                "board_id": item.board_id,
                "version_id": item.version_id,
            },
            details={"ask": item.ask, "status": item.status, "is_late": item.is_late},
        )
    superseded = {d.supersedes_id: d.id for d in b.rows.meeting_decisions if d.supersedes_id}
    for decision in b.rows.meeting_decisions:
        item = b.rows.items[decision.agenda_item_id]
        summary = (
            f"{_capital(b.meeting_words(decision.meeting_id))} "
            f'{OUTCOME_WORDS.get(decision.outcome, decision.outcome)} "{_quote(item.title)}"'
        )
        if decision.method == "vote":
            summary += f" by vote ({decision.votes_for} for, {decision.votes_against} against)"
        if decision.conditions:
            summary += f"; conditions: {'; '.join(decision.conditions)}"
        if decision.text:
            summary += f". {_quote(decision.text)}"
        b.add(
            decision.recorded_at,
            "meeting.decision",
            summary,
            decision.id,
            actor_id=decision.decided_by_id,
            actor_label=decision.recorded_by_label,
            refs={
                "meeting_decision_id": decision.id,
                "agenda_item_id": decision.agenda_item_id,
                "meeting_id": decision.meeting_id,
                "supersedes_id": decision.supersedes_id,
            },
            details={
                "outcome": decision.outcome,
                "method": decision.method,
                "conditions": list(decision.conditions),
                "text": decision.text,
            },
            superseded_by=superseded.get(decision.id),
        )


def _delegation_for(b: _Builder, decision: SignOffDecision) -> Delegation | None:
    if decision.on_behalf_of_id is None:
        return None
    day = decision.recorded_at.astimezone(LONDON).date()
    for delegation in b.rows.delegations:
        if (
            delegation.delegator_id == decision.on_behalf_of_id
            and delegation.delegate_id == decision.decided_by_id
            and delegation.starts_on <= day <= delegation.ends_on
        ):
            return delegation
    return None


def _sign_offs(b: _Builder) -> None:
    for sign_off, route_version, route in b.rows.sign_offs.values():
        refs: dict[str, uuid.UUID | None] = {"sign_off_id": sign_off.id}
        b.add(
            sign_off.submitted_at,
            "sign_off.submitted",
            f"Version {b.number(sign_off.version_id)} submitted for sign-off on the route "
            f'"{route.name}" ({route.key}, version {route_version.number}).',
            sign_off.id,
            actor_id=sign_off.submitted_by_id,
            refs={
                **refs,
                "version_id": sign_off.version_id,
                "route_version_id": route_version.id,
            },
            details={"route_key": route.key, "route_version": route_version.number},
        )
        if sign_off.closed_at is not None:
            b.add(
                sign_off.closed_at,
                "sign_off.closed",
                f"Sign-off {CLOSED_WORDS.get(sign_off.status, sign_off.status)}.",
                sign_off.id,
                refs=refs,
                details={"status": sign_off.status},
            )
    for stage in b.rows.stages.values():
        summary = f'Stage {stage.position} "{stage.name}" started'
        board = b.rows.boards.get(stage.board_id) if stage.board_id else None
        if board is not None:
            summary += f" ({board.name})"
        if stage.round > 1:
            summary += f", round {stage.round}"
        b.add(
            stage.started_at,
            "sign_off.stage_started",
            summary,
            stage.id,
            refs={
                "sign_off_id": stage.sign_off_id,
                "stage_id": stage.id,
                "board_id": stage.board_id,
                "agenda_item_id": stage.agenda_item_id,
            },
            details={"key": stage.key, "round": stage.round, "status": stage.status},
        )
    superseded = {d.supersedes_id: d.id for d in b.rows.decisions if d.supersedes_id}
    for decision in b.rows.decisions:
        decided_stage = b.rows.stages.get(decision.stage_id)
        stage_name = decided_stage.name if decided_stage is not None else "a stage"
        who = b.name(decision.decided_by_id) or decision.recorded_by_label
        if decision.method == "meeting":
            who = _capital(b.meeting_words(decision.meeting_id))
        summary = (
            f"{who} {OUTCOME_WORDS.get(decision.outcome, decision.outcome)} version "
            f'{b.number(decision.version_id)} at stage "{stage_name}"'
        )
        principal_name = b.name(decision.on_behalf_of_id)
        if principal_name:
            summary += f" on behalf of {principal_name}"
        if decision.method == "circulation":
            summary += " by circulation"
        if decision.conditions:
            summary += f"; conditions: {'; '.join(decision.conditions)}"
        if decision.reasons:
            summary += f"; reasons: {_quote(decision.reasons)}"
        delegation = _delegation_for(b, decision)
        b.add(
            decision.recorded_at,
            "sign_off.decision",
            summary,
            decision.id,
            actor_id=decision.decided_by_id,
            actor_label=decision.recorded_by_label,
            refs={
                "sign_off_id": decision.sign_off_id,
                "stage_id": decision.stage_id,
                "decision_id": decision.id,
                "version_id": decision.version_id,
                "meeting_id": decision.meeting_id,
                "meeting_decision_id": decision.meeting_decision_id,
                "on_behalf_of_id": decision.on_behalf_of_id,
                "delegation_id": delegation.id if delegation is not None else None,
                "supersedes_id": decision.supersedes_id,
            },
            details={
                "outcome": decision.outcome,
                "method": decision.method,
                "round": decision.round,
                "conditions": list(decision.conditions),
                "reasons": decision.reasons,
                "on_behalf_of_name": principal_name,
            },
            superseded_by=superseded.get(decision.id),
        )


def _publications(b: _Builder) -> None:
    for publication in b.rows.publications:
        refs: dict[str, uuid.UUID | None] = {
            "publication_id": publication.id,
            "version_id": publication.version_id,
        }
        upload = publication.action == "upload"
        what = f"version {b.number(publication.version_id)}" if upload else "the document"
        b.add(
            publication.created_at,
            "publication.queued",
            f"Queued {what} for {'upload to' if upload else 'removal from'} Trix "
            f"({publication.reason}).",
            publication.id,
            refs=refs,
            details={"action": publication.action, "reason": publication.reason},
        )
        if publication.cancelled_at is not None:
            b.add(
                publication.cancelled_at,
                "publication.cancelled",
                f"Trix {'upload of ' + what if upload else 'removal'} cancelled: "
                f"{_quote(publication.cancelled_reason or '')}",
                publication.id,
                refs=refs,
                details={"action": publication.action, "reason": publication.cancelled_reason},
            )
        if publication.completed_at is None:
            continue
        if upload:
            summary = f"Version {b.number(publication.version_id)} published on Trix"
        else:
            summary = "Removed from Trix"
        if publication.trix_url:
            summary += f" at {publication.trix_url}"
        b.add(
            publication.completed_at,
            "publication.done",
            summary,
            publication.id,
            actor_id=publication.completed_by_id,
            actor_label=publication.completed_by_label,
            refs=refs,
            details={"action": publication.action, "trix_url": publication.trix_url},
        )


@dataclass(frozen=True)
class Audience:
    """What the reader of a timeline may see beyond the drafts."""

    # Who was consulted and what they said: the document's team and the policy team.
    sees_consultees: bool
    # Who was emailed what, and what failed: the policy team.
    sees_notifications: bool


def audience_of(principal: Principal, document: Document) -> Audience:
    return Audience(
        sees_consultees=consultation_authz.can_read_responses(principal, document),
        sees_notifications=org_authz.can_read_notifications(principal),
    )


def build_timeline(rows: TimelineRows, audience: Audience) -> list[TimelineEntry]:
    """The entries for everything in ``rows``, oldest first, as ``audience`` may see them."""
    builder = _Builder(rows, RANK)
    _versions(builder)
    proposal_items = _proposals(builder)
    _assessments(builder)
    _statements(builder)
    consultation_entries(builder, sees_consultees=audience.sees_consultees)
    _board_items(builder, proposal_items)
    _sign_offs(builder)
    _publications(builder)
    review_entries(builder)
    if audience.sees_notifications:
        notification_entries(builder)
    return builder.sorted()


def require_timeline_reader(principal: Principal, document: Document) -> None:
    authz.check_read_drafts(
        principal,
        document,
        "The timeline shows drafts: only the policy team and the people named on the document "
        "may read it.",
    )


async def document_timeline(
    session: AsyncSession, principal: Principal, document: Document
) -> list[TimelineEntry]:
    """The document's whole paper trail, oldest first; only for those who may see drafts."""
    require_timeline_reader(principal, document)
    audience = audience_of(principal, document)
    rows = await load_rows(session, document, with_notifications=audience.sees_notifications)
    return build_timeline(rows, audience)
