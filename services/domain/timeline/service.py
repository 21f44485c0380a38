"""A document's paper trail, for Freedom of Information requests: who saw and decided what, when.

Everything recorded about the document (versions, the proposal, assessments, consultations and
every response, board items and decisions, sign-off stages and decisions, the issue, Trix
publications, reviews and their outcomes, Update Plan items, dis-applications, the emails sent)
in one list ordered by time. Superseded decisions stay, marked with what superseded them. Each
table is read once and people's names in one more query, however long the history (Cafcass
4.14).
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
from services.domain.models.documents import Document, DocumentVersion
from services.domain.timeline.acknowledgements import acknowledgement_entries
from services.domain.timeline.assessments import (
    assessment_entries,
    proposal_entries,
    statement_entries,
)
from services.domain.timeline.builder import Builder as _Builder
from services.domain.timeline.builder import TimelineEntry
from services.domain.timeline.builder import day as _day
from services.domain.timeline.builder import quote as _quote
from services.domain.timeline.consultations import consultation_entries
from services.domain.timeline.decisions import board_entries, sign_off_entries
from services.domain.timeline.dis_applications import dis_application_entries
from services.domain.timeline.engagement import engagement_entries
from services.domain.timeline.launch import communication_plan_entries
from services.domain.timeline.monitoring import monitoring_entries
from services.domain.timeline.notices import notification_entries
from services.domain.timeline.records import TimelineRows
from services.domain.timeline.requests import request_entries
from services.domain.timeline.review_extensions import review_extension_entries
from services.domain.timeline.reviews import review_entries
from services.domain.timeline.rows import load_rows

# Entries at the same moment read in the order things happen (a sign-off is submitted before
# its first stage starts; a version is added before it is issued).
ORDER = (
    "policy_request.made",
    "policy_request.withdrawn",
    "policy_request.declined",
    "policy_request.accepted",
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
    "engagement_session.planned",
    "engagement_session.held",
    "engagement_session.cancelled",
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
    "sign_off.informed",
    "sign_off.decision",
    "sign_off.acknowledged",
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
    "dis_application.requested",
    "dis_application.decided",
    "dis_application.withdrawn",
    "dis_application.revoked",
    "dis_application.expired",
    "review_extension.requested",
    "review_extension.decided",
    "review_extension.withdrawn",
    "review_extension.lapsed",
    "monitoring_action.created",
    "monitoring_action.evidence_added",
    "monitoring_action.done",
    "monitoring_action.cancelled",
    "implementation_report.tabled",
    "acknowledgement.requested",
    "acknowledgement.escalated",
    "acknowledgement.superseded",
    "acknowledgement.cancelled",
    "communication_plan.item_added",
    "communication_plan.item_sent",
    "paper_trail.exported",
    # An email follows what it tells of.
    "notification.email",
)
RANK = {kind: position for position, kind in enumerate(ORDER)}


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
    request_entries(builder)
    proposal_items = proposal_entries(builder)
    assessment_entries(builder)
    engagement_entries(builder)
    statement_entries(builder)
    consultation_entries(builder, sees_consultees=audience.sees_consultees)
    board_entries(builder, proposal_items)
    sign_off_entries(builder)
    _publications(builder)
    review_entries(builder)
    dis_application_entries(builder)
    review_extension_entries(builder)
    monitoring_entries(builder)
    acknowledgement_entries(builder)
    communication_plan_entries(builder)
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
