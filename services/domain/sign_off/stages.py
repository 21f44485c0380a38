"""Moving a sign-off along its stages: who decides a stage, starting it, and what comes next.

A stage decided by people lists them as participants when it starts; a stage decided by a
board at a meeting puts the draft on the board's forward plan, and the minutes decide it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.access.principal import Principal
from services.domain.boards import agenda
from services.domain.boards.models import Board
from services.domain.boards.service import members_of
from services.domain.db import utcnow
from services.domain.documents.models import Document, DocumentVersion
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import Conflict
from services.domain.outbox.service import emit
from services.domain.people.models import Person
from services.domain.routes.definition import (
    BoardDecider,
    Decider,
    DocumentRoleDecider,
    PeopleDecider,
    PostDecider,
    Stage,
)
from services.domain.routes.service import holder_of
from services.domain.sign_off.models import SignOff, SignOffStage

STAGE_GAP = 100  # positions of route stages; deferrals slot in between


@dataclass(frozen=True)
class Deciders:
    participants: list[uuid.UUID]
    required: int
    board_id: uuid.UUID | None
    at_meeting: bool


def engine_principal(
    organisation_id: uuid.UUID, person_id: uuid.UUID | None, label: str
) -> Principal:
    """Who the engine acts as on the forward plan: the policy team, for the person behind it."""
    return Principal(
        organisation_id=organisation_id,
        person_id=person_id,
        roles=frozenset({"policy_officer"}),
        label=label,
    )


def stage_definition(stage: SignOffStage) -> Stage:
    return Stage.model_validate(stage.definition)


async def _active_ids(session: AsyncSession, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if not ids:
        return []
    rows = await session.execute(
        select(Person.id).where(Person.id.in_(ids), Person.is_active.is_(True))
    )
    active = set(rows.scalars())
    return [i for i in dict.fromkeys(ids) if i in active]


async def resolve(
    session: AsyncSession,
    document: Document,
    decider: Decider,
    *,
    chosen: list[uuid.UUID] | None,
    stage_name: str,
) -> Deciders:
    """Who decides: resolved now, so a later change of post holder does not move a stage."""
    if isinstance(decider, DocumentRoleDecider):
        person_id = (
            acting_responsible_officer_id(document)
            if decider.role == "responsible_officer"
            else getattr(document, f"{decider.role}_id")
        )
        people = await _active_ids(session, [person_id] if person_id else [])
        if not people:
            raise Conflict(
                f"{stage_name}: the document has no active {decider.role.replace('_', ' ')} "
                "to decide it; name one on the document first."
            )
        return Deciders(people, 1, None, at_meeting=False)
    if isinstance(decider, PostDecider):
        holder = await holder_of(
            session, document.organisation_id, decider.post, document.service_area
        )
        people = await _active_ids(session, [holder] if holder else [])
        if not people:
            area = document.service_area or "the organisation"
            raise Conflict(
                f"{stage_name}: nobody active holds the post {decider.post} for {area}; "
                "record the post holder (/v1/posts) first."
            )
        return Deciders(people, 1, None, at_meeting=False)
    if isinstance(decider, PeopleDecider):
        named = list(decider.people) or list(chosen or [])
        people = await _active_ids(session, named)
        if not people or len(people) < len(named):
            raise Conflict(
                f"{stage_name}: name the active people who decide this stage "
                "(approvers in the submission)."
            )
        required = {"all": len(people), "any": 1}.get(decider.rule, decider.count or 1)
        if required > len(people):
            raise Conflict(f"{stage_name}: needs {required} approvers but {len(people)} are named.")
        return Deciders(people, required, None, at_meeting=False)
    assert isinstance(decider, BoardDecider)
    board = await session.get(Board, decider.board_id)
    if board is None or not board.is_active:
        raise Conflict(f"{stage_name}: the board that decides it is no longer active.")
    if decider.via == "meeting":
        return Deciders([], 1, board.id, at_meeting=True)
    members = await members_of(session, [board.id])
    people = await _active_ids(session, [m.person_id for m in members])
    if not people:
        raise Conflict(f"{stage_name}: the board {board.name} has no active members.")
    required = {
        "all": len(people),
        "any": 1,
        "majority": len(people) // 2 + 1,
    }.get(decider.rule, min(decider.count or 1, len(people)))
    return Deciders(people, required, board.id, at_meeting=False)


def _ask(stage: Stage, draft: DocumentVersion) -> str:
    if stage.purpose == "information":
        return "information"
    # Judged by the draft, not the document: after an interim issue the document has an
    # issued version, yet ratifying a new document's 0.x draft is a decision, not a review.
    return "review_approval" if draft.major >= 1 else "decision"


async def start_stage(
    session: AsyncSession,
    sign_off: SignOff,
    stage: SignOffStage,
    document: Document,
) -> None:
    """Make a stage the one waiting for a decision, and tell whoever decides it."""
    definition = stage_definition(stage)
    deciders = await resolve(
        session,
        document,
        definition.decider,
        chosen=[uuid.UUID(i) for i in sign_off.approvers.get(stage.key, [])],
        stage_name=stage.name,
    )
    stage.status = "active"
    stage.participants = deciders.participants
    stage.required = deciders.required
    stage.board_id = deciders.board_id
    stage.agenda_item_id = None
    stage.started_at = utcnow()
    if deciders.at_meeting:
        board = await session.get(Board, deciders.board_id)
        draft = await session.get(DocumentVersion, sign_off.version_id)
        assert board is not None and draft is not None
        # The engine tables the item for whoever triggered this stage; the responsible
        # officer presents it (Birmingham; Dorset 9.3: owners and authors present their items).
        engine = engine_principal(
            sign_off.organisation_id, None, f"sign-off of {document.reference}"
        )
        item, _ = await agenda.submit_item(
            session,
            engine,
            board,
            {
                "document_id": document.id,
                "version_id": sign_off.version_id,
                "title": f"{document.reference} {document.title}: {stage.name}"[:300],
                "ask": _ask(definition, draft),
                "presenter_id": acting_responsible_officer_id(document),
                "notes": f"Sign-off stage {stage.name!r} (round {stage.round}).",
            },
        )
        stage.agenda_item_id = item.id
    await session.flush()
    await emit(
        session,
        events.SignOffStageStarted(
            organisation_id=sign_off.organisation_id,
            sign_off_id=sign_off.id,
            stage_id=stage.id,
            document_id=document.id,
            version_id=sign_off.version_id,
            stage_name=stage.name,
            round=stage.round,
            participant_ids=list(stage.participants),
            board_id=stage.board_id,
            agenda_item_id=stage.agenda_item_id,
        ),
    )


def applies(stage: SignOffStage, answers: dict[str, object]) -> bool:
    """A conditional stage applies when the recorded answer matches (LBBD: key decision)."""
    condition = stage_definition(stage).condition
    return condition is None or answers.get(condition.question) == condition.answer


async def stages_of(session: AsyncSession, sign_off_id: uuid.UUID) -> list[SignOffStage]:
    rows = await session.execute(
        select(SignOffStage)
        .where(SignOffStage.sign_off_id == sign_off_id)
        .order_by(SignOffStage.position)
    )
    return list(rows.scalars())


async def next_pending(
    session: AsyncSession, sign_off: SignOff, *, after_issue: bool
) -> SignOffStage | None:
    """The next stage to start in this phase, skipping those whose condition does not hold."""
    for stage in await stages_of(session, sign_off.id):
        if stage.status != "pending" or stage_definition(stage).after_issue != after_issue:
            continue
        if not applies(stage, sign_off.answers):
            stage.status = "skipped"
            stage.finished_at = utcnow()
            continue
        return stage
    return None


async def add_referral(
    session: AsyncSession, sign_off: SignOff, deferred: SignOffStage, decider: Decider, name: str
) -> SignOffStage:
    """A deferral to a higher body adds its stage right after the one that deferred."""
    taken = {s.position for s in await stages_of(session, sign_off.id)}
    position = deferred.position + 1
    while position in taken:
        position += 1
    original = stage_definition(deferred)
    definition = Stage(
        key=f"{original.key}_referral_{position}"[:60],
        name=name[:200],
        purpose="approval",
        decider=decider,
    )
    stage = SignOffStage(
        organisation_id=sign_off.organisation_id,
        sign_off_id=sign_off.id,
        position=position,
        key=definition.key,
        name=definition.name,
        definition=definition.model_dump(mode="json"),
        status="pending",
        round=1,
        participants=[],
        required=1,
        deferred_from_id=deferred.id,
    )
    session.add(stage)
    await session.flush()
    return stage


async def referral_name(session: AsyncSession, decider: Decider) -> str:
    """How a referral stage is called: the board's name, or the people's."""
    if isinstance(decider, BoardDecider):
        board = await session.get(Board, decider.board_id)
        return f"Referred to {board.name if board else 'a board'}"
    if isinstance(decider, PeopleDecider) and decider.people:
        rows = await session.execute(select(Person.name).where(Person.id.in_(decider.people)))
        return f"Referred to {', '.join(rows.scalars())}"
    if isinstance(decider, PostDecider):
        return f"Referred to the {decider.post.replace('_', ' ')}"
    return "Referred to a higher body"
