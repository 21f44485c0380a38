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
from services.domain.authz import sign_offs as authz
from services.domain.authz.principal import Principal
from services.domain.boards import agenda
from services.domain.boards.commands import NewAgendaItem
from services.domain.boards.service import members_of
from services.domain.clock import utcnow
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import Conflict
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.people import Person
from services.domain.models.routes import RouteVersion
from services.domain.models.sign_off import SignOff, SignOffStage
from services.domain.outbox.service import emit
from services.domain.routes.definition import (
    BoardDecider,
    Decider,
    DocumentRoleDecider,
    PeopleDecider,
    PostDecider,
    RouteDefinition,
    Stage,
)
from services.domain.routes.service import holder_of
from services.domain.text import STORED

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
    """Who the engine acts as on the forward plan: the service, for the person behind it."""
    return Principal.system(organisation_id, label, person_id=person_id)


def stage_definition(stage: SignOffStage) -> Stage:
    return Stage.model_validate(stage.definition, context=STORED)


@dataclass(frozen=True)
class Independence:
    """Who may not decide this sign-off, and whether its route lets them anyway."""

    conflicts: set[uuid.UUID]
    allow_self_approval: bool


async def independence_of(
    session: AsyncSession, sign_off: SignOff, document: Document
) -> Independence:
    draft = await session.get(DocumentVersion, sign_off.version_id)
    route_version = await session.get(RouteVersion, sign_off.route_version_id)
    assert draft is not None and route_version is not None
    definition = RouteDefinition.model_validate(route_version.definition, context=STORED)
    return Independence(
        await authz.conflicted(session, sign_off, document, draft),
        definition.allow_self_approval,
    )


async def active_people(
    session: AsyncSession, organisation_id: uuid.UUID, ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """The active people of the organisation among ``ids``, each once, in the order given."""
    if not ids:
        return []
    rows = await session.execute(
        select(Person.id).where(
            Person.id.in_(ids),
            Person.organisation_id == organisation_id,
            Person.is_active.is_(True),
        )
    )
    active = set(rows.scalars())
    return [i for i in dict.fromkeys(ids) if i in active]


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> str:
    rows = await session.execute(
        select(Person.name).where(Person.id.in_(ids)).order_by(Person.name)
    )
    return ", ".join(rows.scalars())


async def _able(
    session: AsyncSession,
    people: list[uuid.UUID],
    required: int,
    stage_name: str,
    conflicts: set[uuid.UUID],
    *,
    allow_self_approval: bool,
) -> list[uuid.UUID]:
    """The people asked to decide, if their roles let them; those who wrote the draft are left
    out when enough others remain (any, or N of them), else refused."""
    unable = set(people) - await authz.may_decide_at_all(session, people)
    if unable:
        raise Conflict(
            f"{stage_name}: {await _names(session, unable)} hold no role that lets them decide a "
            "sign-off stage (give them the approver role, or change the route)."
        )
    independent = [p for p in people if p not in conflicts]
    if allow_self_approval or len(independent) == len(people):
        return people
    if len(independent) >= required and required < len(people):
        return independent
    writer = next(p for p in people if p in conflicts)
    authz.check_not_conflicted(
        writer,
        await _names(session, {writer}),
        stage_name,
        conflicts,
        allow_self_approval=allow_self_approval,
    )
    return people  # pragma: no cover - check_not_conflicted refused


async def resolve(
    session: AsyncSession,
    document: Document,
    decider: Decider,
    *,
    chosen: list[uuid.UUID] | None,
    stage_name: str,
    conflicts: set[uuid.UUID] = frozenset(),  # type: ignore[assignment]
    allow_self_approval: bool = False,
) -> Deciders:
    """Who decides: resolved now, so a later change of post holder does not move a stage.

    Nobody who wrote, uploaded or submitted the draft (``conflicts``) decides it unless the
    route allows self-approval; a board deciding by circulation leaves them out of the vote.
    """
    org = document.organisation_id
    if isinstance(decider, DocumentRoleDecider | PostDecider | PeopleDecider):
        if isinstance(decider, DocumentRoleDecider):
            person_id = (
                acting_responsible_officer_id(document)
                if decider.role == "responsible_officer"
                else getattr(document, f"{decider.role}_id")
            )
            people = await active_people(session, org, [person_id] if person_id else [])
            if not people:
                raise Conflict(
                    f"{stage_name}: the document has no active "
                    f"{decider.role.replace('_', ' ')} to decide it; name one on the document "
                    "first."
                )
            required = 1
        elif isinstance(decider, PostDecider):
            holder = await holder_of(session, org, decider.post, document.service_area)
            people = await active_people(session, org, [holder] if holder else [])
            if not people:
                area = document.service_area or "the organisation"
                raise Conflict(
                    f"{stage_name}: nobody active holds the post {decider.post} for {area}; "
                    "record the post holder (/v1/posts) first."
                )
            required = 1
        else:
            named = list(decider.people) or list(chosen or [])
            people = await active_people(session, org, named)
            if not people or len(people) < len(dict.fromkeys(named)):
                raise Conflict(
                    f"{stage_name}: name the active people who decide this stage "
                    "(approvers in the submission)."
                )
            required = {"all": len(people), "any": 1}.get(decider.rule, decider.count or 1)
            if required > len(people):
                raise Conflict(
                    f"{stage_name}: needs {required} approvers but {len(people)} are named."
                )
        people = await _able(
            session,
            people,
            required,
            stage_name,
            conflicts,
            allow_self_approval=allow_self_approval,
        )
        return Deciders(people, required, None, at_meeting=False)
    assert isinstance(decider, BoardDecider)
    board = await session.get(Board, decider.board_id)
    if board is None or board.organisation_id != org or not board.is_active:
        raise Conflict(f"{stage_name}: the board that decides it is no longer active.")
    if decider.via == "meeting":
        return Deciders([], 1, board.id, at_meeting=True)
    members = await members_of(session, [board.id])
    people = await active_people(session, org, [m.person_id for m in members])
    # Members who may not decide, or who wrote the draft, have no vote on it.
    voters = await authz.may_decide_at_all(session, people)
    if not allow_self_approval:
        voters -= conflicts
    people = [p for p in people if p in voters]
    if not people:
        raise Conflict(
            f"{stage_name}: the board {board.name} has no active member who may decide it."
        )
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
            NewAgendaItem(
                document_id=document.id,
                version_id=sign_off.version_id,
                title=f"{document.reference} {document.title}: {stage.name}"[:300],
                ask=_ask(definition, draft),
                presenter_id=acting_responsible_officer_id(document),
                notes=f"Sign-off stage {stage.name!r} (round {stage.round}).",
            ),
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
