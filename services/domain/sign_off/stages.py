"""Moving a sign-off along its stages: starting one, and which comes next (who decides a stage is
in ``deciders``).

A stage decided by people lists them as participants when it starts; a stage decided by a
board at a meeting puts the draft on the board's forward plan, and the minutes decide it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.boards import agenda
from services.domain.boards.commands import NewAgendaItem
from services.domain.clock import utcnow
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.governance.definition import (
    BoardDecider,
    Decider,
    PeopleDecider,
    PostDecider,
    Stage,
)
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.people import Person
from services.domain.models.sign_off import SignOff, SignOffStage, StageStatus
from services.domain.outbox.service import emit
from services.domain.sign_off import informing, time_limits
from services.domain.sign_off.deciders import independence_of, resolve
from services.domain.text import STORED

STAGE_GAP = 100  # positions of route stages; deferrals slot in between


def engine_principal(
    organisation_id: uuid.UUID, person_id: uuid.UUID | None, label: str
) -> Principal:
    """Who the engine acts as on the forward plan: the service, for the person behind it."""
    return Principal.system(organisation_id, label, person_id=person_id)


def stage_definition(stage: SignOffStage) -> Stage:
    return Stage.model_validate(stage.definition, context=STORED)


def _ask(stage: Stage, draft: DocumentVersion) -> str:
    if stage.purpose == "information":
        return "information"
    # Judged by the draft, not the document: after an interim issue the document has an
    # issued version, yet ratifying a new document's 0.x draft is a decision, not a review.
    return "review_approval" if draft.major >= 1 else "decision"


async def _table(
    session: AsyncSession,
    sign_off: SignOff,
    stage: SignOffStage,
    document: Document,
    definition: Stage,
    board_id: uuid.UUID,
) -> uuid.UUID:
    """Put the draft on the board's forward plan for the stage; the agenda item's id."""
    board = await session.get(Board, board_id)
    draft = await session.get(DocumentVersion, sign_off.version_id)
    assert board is not None and draft is not None
    # The engine tables the item for whoever triggered this stage; the responsible
    # officer presents it (Birmingham; Dorset 9.3: owners and authors present their items).
    engine = engine_principal(sign_off.organisation_id, None, f"sign-off of {document.reference}")
    item, _ = await agenda.submit_item(
        session,
        engine,
        board,
        NewAgendaItem(
            document_id=document.id,
            version_id=sign_off.version_id,
            title=f"{document.reference} {document.title}: {stage.name}"[:300],
            ask=_ask(definition, draft),
            presenter_id=acting_responsible_officer_id(document),
            notes=f"Sign-off stage {stage.name!r} (round {stage.round}).",
        ),
    )
    return item.id


async def start_stage(
    session: AsyncSession,
    sign_off: SignOff,
    stage: SignOffStage,
    document: Document,
) -> None:
    """Make a stage the one waiting for a decision, and tell whoever decides it."""
    definition = stage_definition(stage)
    independence = await independence_of(session, sign_off, document)
    deciders = await resolve(
        session,
        document,
        definition.decider,
        chosen=[uuid.UUID(i) for i in sign_off.approvers.get(stage.key, [])],
        stage_name=stage.name,
        conflicts=independence.conflicts,
        allow_self_approval=independence.allow_self_approval,
    )
    stage.status = StageStatus.ACTIVE
    stage.participants = deciders.participants
    stage.required = deciders.required
    stage.board_id = deciders.board_id
    stage.agenda_item_id = None
    stage.started_at = utcnow()
    await time_limits.set_time_limit(session, stage, definition)
    if deciders.at_meeting:
        assert deciders.board_id is not None
        stage.agenda_item_id = await _table(
            session, sign_off, stage, document, definition, deciders.board_id
        )
    await session.flush()
    if definition.inform is not None:
        engine = engine_principal(
            sign_off.organisation_id, None, f"sign-off of {document.reference}"
        )
        await informing.inform_stage(session, engine, sign_off, stage, document, definition.inform)
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
        if (
            stage.status != StageStatus.PENDING
            or stage_definition(stage).after_issue != after_issue
        ):
            continue
        if not applies(stage, sign_off.answers):
            stage.status = StageStatus.SKIPPED
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
        status=StageStatus.PENDING,
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
