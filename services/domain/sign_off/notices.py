"""Who is told about sign-off, publication and what comes before them, and what they read.

As for meetings, one function per event type decides the recipients and the context of each
email, and ``service.fan_out`` inserts them idempotently. Only active people of the event's
organisation are told, each once per event.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.governance.posts import holder_of
from services.domain.models.boards import Board
from services.domain.models.documents import Document
from services.domain.models.publications import Publication
from services.domain.models.sign_off import (
    Delegation,
    SignOff,
    SignOffDecision,
    SignOffStage,
    SignOffStatus,
    StageStatus,
)
from services.domain.notices.kinds import of_family
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people, person_name, version_number
from services.domain.organisations.words import words_for
from services.domain.people.policy_team import policy_team
from services.domain.sign_off import voting

KINDS = of_family("sign_off")


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A request to decide is void once its stage is no longer waiting for that round of that
    draft: decided meanwhile, cancelled, sent back, or the draft replaced by an amendment."""
    if kind != "sign_off.decision_needed":
        return True
    stage = await session.get(SignOffStage, uuid.UUID(context["stage_id"]))
    sign_off = await session.get(SignOff, uuid.UUID(context["sign_off_id"]))
    return (
        stage is not None
        and sign_off is not None
        and stage.status == StageStatus.ACTIVE
        and stage.round == context["round"]
        and str(sign_off.version_id) == context["version_id"]
    )


# --- loading ---------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _document_people(document: Document) -> list[uuid.UUID | None]:
    return [acting_responsible_officer_id(document), document.owner_id, document.author_id]


async def _current_decisions(
    session: AsyncSession, sign_off_id: uuid.UUID
) -> list[SignOffDecision]:
    """The sign-off's decisions not corrected by a later one, oldest first."""
    rows = await session.execute(
        select(SignOffDecision)
        .where(SignOffDecision.sign_off_id == sign_off_id)
        .order_by(SignOffDecision.recorded_at, SignOffDecision.id)
    )
    decisions = list(rows.scalars())
    superseded = {d.supersedes_id for d in decisions}
    return [d for d in decisions if d.id not in superseded]


def _sign_off_links(sign_off_id: uuid.UUID | str) -> dict[str, str]:
    return {
        "sign_off_id": str(sign_off_id),
        "sign_off_path": f"/v1/sign-offs/{sign_off_id}",
    }


async def _referred_name(
    session: AsyncSession, referred_to: dict[str, Any] | None, document: Document
) -> str | None:
    """The body or person a deferral went to, as people say it."""
    if not referred_to:
        return None
    kind = referred_to.get("kind")
    if kind == "board":
        board = await session.get(Board, uuid.UUID(referred_to["board_id"]))
        return board.name if board else None
    if kind == "people":
        names = [await person_name(session, uuid.UUID(p)) for p in referred_to.get("people", [])]
        named = [n for n in names if n]
        if len(named) > 1:
            return f"{', '.join(named[:-1])} and {named[-1]}"
        return named[0] if named else None
    if kind == "post":
        post = str(referred_to["post"])
        holder = await holder_of(session, document.organisation_id, post, document.service_area)
        return await person_name(session, holder) or post.replace("_", " ")
    if kind == "document_role":
        role = str(referred_to["role"])
        holder_id = (
            acting_responsible_officer_id(document)
            if role == "responsible_officer"
            else getattr(document, f"{role}_id", None)
        )
        words = await words_for(session, document.organisation_id)
        return await person_name(session, holder_id) or f"the {words.title_of(role)}"
    return None


# --- sign-off --------------------------------------------------------------------------------


async def _stage_started(session: AsyncSession, event: events.SignOffStageStarted) -> list[Notice]:
    # A board deciding at a meeting names nobody: the agenda and papers emails tell members.
    if not event.participant_ids:
        return []
    document = await session.get(Document, event.document_id)
    if document is None:
        return []
    conditions: list[str] = []
    if event.round > 1:
        decisions = await _current_decisions(session, event.sign_off_id)
        with_conditions = [d for d in decisions if d.outcome == "approved_with_conditions"]
        conditions = list(with_conditions[-1].conditions) if with_conditions else []
    board = await session.get(Board, event.board_id) if event.board_id else None
    context = {
        **_sign_off_links(event.sign_off_id),
        "stage_id": str(event.stage_id),
        "stage_name": event.stage_name,
        "round": event.round,
        "version_id": str(event.version_id),
        "version": await version_number(session, event.version_id),
        "board_name": board.name if board else None,
        "conditions": conditions,
    }
    people = await active_people(session, event.organisation_id, event.participant_ids)
    return [Notice("sign_off.decision_needed", p, context, document) for p in people]


async def _informed(session: AsyncSession, event: events.SignOffInformed) -> list[Notice]:
    """LBBD 9: the draft shown to Heads of Service or the Cabinet Member, to acknowledge."""
    document = await session.get(Document, event.document_id)
    if document is None:
        return []
    context = {
        **_sign_off_links(event.sign_off_id),
        "acknowledge_path": f"/v1/sign-offs/{event.sign_off_id}/acknowledgements",
        "stage_id": str(event.stage_id),
        "stage_name": event.stage_name,
        "version_id": str(event.version_id),
        "version": await version_number(session, event.version_id),
    }
    people = await active_people(session, event.organisation_id, event.person_ids)
    return [Notice("sign_off.informed", p, context, document) for p in people]


def _outcome_words(outcome: str, referred: str | None) -> str:
    if outcome == "deferred":
        return f"deferred to {referred}" if referred else "deferred"
    return outcome.replace("_", " ")


async def _vote_at(
    session: AsyncSession, stage: SignOffStage, decision: SignOffDecision
) -> dict[str, Any]:
    """The stage's count as it stood once ``decision`` was recorded: in words when several
    decide it, and whether the stage was then refused (for one decider: a rejection)."""
    rows = await session.execute(
        select(SignOffDecision).where(
            SignOffDecision.stage_id == stage.id,
            SignOffDecision.recorded_at <= decision.recorded_at,
        )
    )
    tally = voting.tally_for(stage, voting.decider_of(stage), list(rows.scalars()))
    words = None
    if tally.eligible > 1:
        quorum = ""
        if tally.quorum:
            met = "met" if tally.is_quorate else "not yet met"
            quorum = f"; quorum {tally.quorum}, {met}"
        settled = {"approved": "; the stage is approved", "refused": "; the stage is refused"}
        words = (
            f"Votes so far: {tally.approvals} for, {tally.refusals} against, "
            f"{tally.abstentions} abstained, of {tally.eligible}{quorum}"
            f"{settled.get(tally.outcome or '', '')}."
        )
    return {"vote_words": words, "stage_refused": tally.outcome == "refused"}


async def _decision_recorded(
    session: AsyncSession, event: events.SignOffDecisionRecorded
) -> list[Notice]:
    decision = await session.get(SignOffDecision, event.decision_id)
    sign_off = await session.get(SignOff, event.sign_off_id)
    stage = await session.get(SignOffStage, event.stage_id)
    document = await session.get(Document, event.document_id)
    if decision is None or sign_off is None or stage is None or document is None:
        return []
    board = await session.get(Board, stage.board_id) if stage.board_id else None
    decided_by = await person_name(session, decision.decided_by_id)
    if decided_by is None:
        decided_by = board.name if board else decision.recorded_by_label
    referred = await _referred_name(session, decision.referred_to, document)
    officer = acting_responsible_officer_id(document)
    context = {
        **_sign_off_links(sign_off.id),
        "amendments_path": f"/v1/sign-offs/{sign_off.id}/amendments",
        "stage_name": stage.name,
        "version": await version_number(session, decision.version_id),
        "outcome": decision.outcome,
        "outcome_words": _outcome_words(decision.outcome, referred),
        "conditions": list(decision.conditions),
        "reasons": decision.reasons,
        "decided_by_name": decided_by,
        "on_behalf_of_name": await person_name(session, decision.on_behalf_of_id),
        "discussed_with_name": await person_name(session, decision.discussed_with_id),
        **await _vote_at(session, stage, decision),
    }
    ids = [
        officer,
        document.author_id,
        document.owner_id,
        sign_off.submitted_by_id,
        *[person.id for person in await policy_team(session, event.organisation_id)],
    ]
    people = await active_people(session, event.organisation_id, ids, but=decision.decided_by_id)
    return [
        Notice(
            "sign_off.decided",
            person,
            {**context, "is_responsible_officer": person.id == officer},
            document,
        )
        for person in people
    ]


async def _sign_off_closed(session: AsyncSession, event: events.SignOffClosed) -> list[Notice]:
    # Rejected or refused ratification: the decision email already told everyone.
    if event.status != SignOffStatus.WITHDRAWN:
        return []
    sign_off = await session.get(SignOff, event.sign_off_id)
    document = await session.get(Document, event.document_id)
    if sign_off is None or document is None:
        return []
    rows = await session.execute(
        select(SignOffStage)
        .where(
            SignOffStage.sign_off_id == sign_off.id, SignOffStage.status == StageStatus.CANCELLED
        )
        .order_by(SignOffStage.position)
    )
    stages = list(rows.scalars())
    context = {
        **_sign_off_links(sign_off.id),
        "version": await version_number(session, sign_off.version_id),
        "stage_names": [s.name for s in stages],
    }
    waiting = (person_id for stage in stages for person_id in stage.participants)
    people = await active_people(session, event.organisation_id, waiting)
    return [Notice("sign_off.withdrawn", person, context, document) for person in people]


# --- publication -----------------------------------------------------------------------------


async def _document_published(
    session: AsyncSession, event: events.DocumentPublished
) -> list[Notice]:
    document = await session.get(Document, event.document_id)
    if document is None:
        return []
    deciders: list[uuid.UUID | None] = []
    sign_off_id = event.sign_off_id
    if sign_off_id is not None:
        for decision in await _current_decisions(session, sign_off_id):
            deciders += [decision.decided_by_id, decision.on_behalf_of_id]
    context = {
        "sign_off_id": str(event.sign_off_id) if event.sign_off_id else None,
        "version_id": str(event.version_id),
        "version": event.number,
        "issued_on": event.issued_on.isoformat(),
        "effective_on": event.effective_on.isoformat(),
        "next_review_due": _day(event.next_review_due),
    }
    ids = [
        *_document_people(document),
        *deciders,
        *[person.id for person in await policy_team(session, event.organisation_id)],
    ]
    people = await active_people(session, event.organisation_id, ids)
    return [Notice("document.published", person, context, document) for person in people]


async def _issue_withdrawn(
    session: AsyncSession, event: events.DocumentIssueWithdrawn
) -> list[Notice]:
    """Dorset 4.5.2: an interim issue withdrawn, its ratification refused. Everyone involved
    (the document's people, the deciders, the submitter, the policy officers) is told why,
    and what is in force now."""
    document = await session.get(Document, event.document_id)
    if document is None:
        return []
    ids: list[uuid.UUID | None] = [*_document_people(document)]
    sign_off_id = event.sign_off_id
    sign_off = await session.get(SignOff, sign_off_id) if sign_off_id else None
    if sign_off is not None:
        ids.append(sign_off.submitted_by_id)
        for decision in await _current_decisions(session, sign_off.id):
            ids += [decision.decided_by_id, decision.on_behalf_of_id]
    publication_id = event.publication_id
    publication = await session.get(Publication, publication_id) if publication_id else None
    context = {
        **(_sign_off_links(sign_off.id) if sign_off is not None else {"sign_off_path": None}),
        "version": event.number,
        "reason": event.reason,
        "status": event.status,
        "in_force_version": event.in_force_number,
        "reinstated": publication is not None and publication.reason == "reinstated",
        "next_review_due": _day(event.next_review_due),
        "trix_action": publication.action if publication is not None else None,
    }
    ids += [person.id for person in await policy_team(session, event.organisation_id)]
    people = await active_people(session, event.organisation_id, ids)
    return [Notice("document.issue_withdrawn", person, context, document) for person in people]


# --- before and around sign-off --------------------------------------------------------------


async def _delegation_created(
    session: AsyncSession, event: events.DelegationCreated
) -> list[Notice]:
    delegation = await session.get(Delegation, event.delegation_id)
    if delegation is None:
        return []
    context = {
        "delegation_id": str(delegation.id),
        "delegator_name": await person_name(session, delegation.delegator_id),
        "delegate_name": await person_name(session, delegation.delegate_id),
        "starts_on": delegation.starts_on.isoformat(),
        "ends_on": delegation.ends_on.isoformat(),
        "reason": delegation.reason,
    }
    people = await active_people(
        session, event.organisation_id, (delegation.delegate_id, delegation.delegator_id)
    )
    return [
        Notice(
            "delegation.created",
            person,
            {**context, "is_delegate": person.id == delegation.delegate_id},
        )
        for person in people
    ]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.SignOffStageStarted: _stage_started,
    events.SignOffInformed: _informed,
    events.SignOffDecisionRecorded: _decision_recorded,
    events.SignOffClosed: _sign_off_closed,
    events.DocumentPublished: _document_published,
    events.DocumentIssueWithdrawn: _issue_withdrawn,
    events.DelegationCreated: _delegation_created,
}
