"""Timeline entries for what boards and deciders did with a document: the items put on
boards' forward plans and the boards' decisions, and each sign-off with its stages and the
decisions taken at them (superseded decisions stay, marked with what superseded them).
"""

from __future__ import annotations

import uuid

from services.domain.clock import LONDON
from services.domain.models.meetings import AgendaItemStatus
from services.domain.models.sign_off import Delegation, SignOffDecision, SignOffStatus
from services.domain.timeline.builder import Builder, capital, quote

OUTCOME_WORDS = {
    "approved": "approved",
    "approved_with_conditions": "approved with conditions",
    "deferred": "deferred",
    "rejected": "rejected",
    "noted": "noted",
    "referred": "referred",
    "abstained": "abstained",
}
ASK_WORDS = {
    "decision": "for a decision",
    "review_approval": "for approval of a review",
    "information": "for information",
    "new_proposal": "as a new proposal",
}
CLOSED_WORDS = {
    SignOffStatus.COMPLETED: "completed",
    SignOffStatus.REJECTED: "ended: rejected",
    SignOffStatus.WITHDRAWN: "withdrawn",
    SignOffStatus.RATIFICATION_REFUSED: "ended: ratification refused",
    SignOffStatus.ISSUED: "issued",
}


def board_entries(b: Builder, proposal_items: set[uuid.UUID]) -> None:
    """The items put on boards' forward plans (those not of a proposal, which has its own
    entries) and the boards' decisions on them."""
    _agenda_items(b, proposal_items)
    _meeting_decisions(b)


def _agenda_items(b: Builder, proposal_items: set[uuid.UUID]) -> None:
    for item in b.rows.items.values():
        if item.id in proposal_items:
            continue
        summary = (
            f'"{quote(item.title)}" put on the forward plan for '
            f"{b.meeting_words(item.meeting_id)} {ASK_WORDS.get(item.ask, item.ask)}"
        )
        if item.version_id is not None:
            summary += f", with version {b.number(item.version_id)}"
        if item.requested_meeting_id != item.meeting_id:
            summary += f" (asked for {b.meeting_words(item.requested_meeting_id)})"
        if item.is_late:
            summary += "; submitted late"
        if item.status == AgendaItemStatus.WITHDRAWN:
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


def _meeting_decisions(b: Builder) -> None:
    superseded = {d.supersedes_id: d.id for d in b.rows.meeting_decisions if d.supersedes_id}
    for decision in b.rows.meeting_decisions:
        item = b.rows.items[decision.agenda_item_id]
        summary = (
            f"{capital(b.meeting_words(decision.meeting_id))} "
            f'{OUTCOME_WORDS.get(decision.outcome, decision.outcome)} "{quote(item.title)}"'
        )
        if decision.method == "vote":
            summary += f" by vote ({decision.votes_for} for, {decision.votes_against} against)"
        if decision.conditions:
            summary += f"; conditions: {'; '.join(decision.conditions)}"
        if decision.text:
            summary += f". {quote(decision.text)}"
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


def _delegation_for(b: Builder, decision: SignOffDecision) -> Delegation | None:
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


def sign_off_entries(b: Builder) -> None:
    """Each sign-off submitted and closed, its stages started and the decisions taken at
    them."""
    _sign_offs(b)
    _stages(b)
    _informed(b)
    _sign_off_decisions(b)


def _sign_offs(b: Builder) -> None:
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


def _stages(b: Builder) -> None:
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


def _informed(b: Builder) -> None:
    """Who a stage showed the draft to (LBBD 9: Heads of Service, the Cabinet Member), and
    when each acknowledged it."""
    for row in b.rows.informed:
        stage = b.rows.stages.get(row.stage_id)
        stage_name = stage.name if stage is not None else "a stage"
        who = b.name(row.person_id) or "Someone"
        post = f" as {row.post.replace('_', ' ')}" if row.post else ""
        refs: dict[str, uuid.UUID | None] = {
            "sign_off_id": row.sign_off_id,
            "stage_id": row.stage_id,
            "person_id": row.person_id,
        }
        b.add(
            row.informed_at,
            "sign_off.informed",
            f"{who}{post} shown version {b.number(row.version_id)} for information at stage "
            f'"{stage_name}".',
            row.id,
            refs={**refs, "version_id": row.version_id},
            details={"post": row.post},
        )
        if row.acknowledged_at is not None:
            summary = f'{who} acknowledged version {b.number(row.version_id)} ("{stage_name}")'
            if row.comment:
                summary += f"; comment: {quote(row.comment)}"
            b.add(
                row.acknowledged_at,
                "sign_off.acknowledged",
                summary + ".",
                row.id,
                actor_id=row.person_id,
                refs=refs,
                details={"comment": row.comment},
            )


def _sign_off_decisions(b: Builder) -> None:
    superseded = {d.supersedes_id: d.id for d in b.rows.decisions if d.supersedes_id}
    for decision in b.rows.decisions:
        decided_stage = b.rows.stages.get(decision.stage_id)
        stage_name = decided_stage.name if decided_stage is not None else "a stage"
        who = b.name(decision.decided_by_id) or decision.recorded_by_label
        if decision.method == "meeting":
            who = capital(b.meeting_words(decision.meeting_id))
        summary = (
            f"{who} {OUTCOME_WORDS.get(decision.outcome, decision.outcome)} version "
            f'{b.number(decision.version_id)} at stage "{stage_name}"'
        )
        principal_name = b.name(decision.on_behalf_of_id)
        if principal_name:
            summary += f" on behalf of {principal_name}"
        if decision.method == "circulation":
            summary += " by circulation"
        discussed_with = b.name(decision.discussed_with_id)
        if discussed_with:
            summary += f", having discussed it with {discussed_with}"
        if decision.conditions:
            summary += f"; conditions: {'; '.join(decision.conditions)}"
        if decision.reasons:
            summary += f"; reasons: {quote(decision.reasons)}"
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
                "discussed_with_id": decision.discussed_with_id,
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
                "discussed_with_name": discussed_with,
            },
            superseded_by=superseded.get(decision.id),
        )
