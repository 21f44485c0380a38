"""Sign-off emails: who is told of each sign-off and publication event (once, only if active),
what they read, and which requests to decide are void by the time they are sent.

People and the document are made with the domain functions, as the API would; the sign-off,
its stages and decisions are written as rows, and their events emitted, as the sign-off
engine does; the relay then fans the outbox events out.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.boards import service as boards
from services.domain.boards.commands import NewBoard
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.governance import service as routes
from services.domain.governance.commands import NewRoute
from services.domain.models.assessments import LegalReview, Proposal
from services.domain.models.governance import Post
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.people import Person, PersonRole
from services.domain.models.publications import Publication
from services.domain.models.sign_off import Delegation, SignOff, SignOffDecision, SignOffStage
from services.domain.notifications.service import fan_out
from services.domain.outbox.service import emit
from services.domain.people import service as people
from services.domain.settings import Settings
from services.notifier.email import render
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from tests.factories import World
from tests.notifier.conftest import RecordingTransport

CONDITION = "Add the police contact numbers"


@dataclass
class Cast:
    """Who is who: people by nickname (their email is nickname@alpha.example.org)."""

    world: World
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def po(self) -> Principal:
        return Principal(
            organisation_id=self.world.a.id,
            person_id=self.world.a.policy_officer.person_id,
            roles=frozenset({"policy_officer"}),
            label="Policy Officer of alpha",
        )

    @property
    def org(self) -> uuid.UUID:
        return self.world.a.id

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        """One transaction, as one request would be."""
        async with self.world.sessionmaker() as session, session.begin():
            yield session


async def cast_of(world: World) -> Cast:
    """People, a document with two drafts, a route, and a sign-off of the first draft whose
    second stage (Director approval: the decider and a leaver) is active."""
    cast = Cast(world)
    names = "ro owner writer submitter decider delegate lawyer sponsor lead leaver"
    async with cast.step() as session:
        for name in [*names.split(), "po2", "po_gone"]:
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name.replace("_", " ").title(),
                email=f"{name}@alpha.example.org",
                roles=["policy_officer"] if name.startswith("po") else ["reader"],
                is_active=name not in ("leaver", "po_gone"),
            )
            cast.ids[name] = person.id
        cast.ids["policy_officer"] = cast.po.person_id  # type: ignore[assignment]
        document = await documents.create_document(
            session,
            cast.po,
            NewDocument.of(
                {
                    "reference": "CS-PR-012",
                    "title": "Children missing from care",
                    "kind": "procedure",
                    "service_area": "Children in care",
                    "owner_id": cast.ids["owner"],
                    "responsible_officer_id": cast.ids["ro"],
                    "author_id": cast.ids["writer"],
                }
            ),
        )
        cast.ids["document"] = document.id
        for number in ("v01", "v02"):
            version = await versions.add_version(
                session,
                cast.po,
                document,
                filename="missing.txt",
                content=f"What to do when a child is missing ({number}).".encode(),
                declared_media_type="text/plain",
                change_summary=number,
                issue=False,
                max_bytes=1024 * 1024,
            )
            cast.ids[number] = version.id
        route = await routes.create_route(
            session,
            cast.po,
            organisation_id=world.a.id,
            command=NewRoute.of(
                {
                    "key": "procedures",
                    "name": "Procedures",
                    "definition": {
                        "stages": [
                            {
                                "key": "rsm",
                                "name": "RSM approval",
                                "decider": {"kind": "document_role", "role": "owner"},
                            },
                            {
                                "key": "director",
                                "name": "Director approval",
                                "decider": {"kind": "people", "people": [str(cast.ids["decider"])]},
                            },
                        ]
                    },
                }
            ),
        )
        route_version = await routes.route_version(session, route)
        sign_off = SignOff(
            id=uuid.uuid4(),
            organisation_id=cast.org,
            document_id=document.id,
            version_id=cast.ids["v01"],
            route_version_id=route_version.id,
            status="in_progress",
            previous_status="draft",
            submitted_by_id=cast.ids["submitter"],
        )
        session.add(sign_off)
        await session.flush()
        cast.ids["sign_off"] = sign_off.id
        for position, (key, name, status, participants) in enumerate(
            [
                ("rsm", "RSM approval", "approved", ["owner"]),
                ("director", "Director approval", "active", ["decider", "leaver"]),
            ],
            start=1,
        ):
            stage = SignOffStage(
                id=uuid.uuid4(),
                organisation_id=cast.org,
                sign_off_id=sign_off.id,
                position=position,
                key=key,
                name=name,
                definition={},
                status=status,
                round=1,
                participants=[cast.ids[p] for p in participants],
            )
            session.add(stage)
            cast.ids[key] = stage.id
    return cast


async def decide(
    cast: Cast,
    stage: str,
    outcome: str,
    *,
    by: str | None,
    on_behalf_of: str | None = None,
    conditions: tuple[str, ...] = (),
    referred_to: dict[str, Any] | None = None,
    supersedes: uuid.UUID | None = None,
    version: str = "v01",
    emit_event: bool = True,
) -> uuid.UUID:
    """A decision row on a stage, and its event."""
    async with cast.step() as session:
        decision = SignOffDecision(
            id=uuid.uuid4(),
            organisation_id=cast.org,
            sign_off_id=cast.ids["sign_off"],
            stage_id=cast.ids[stage],
            round=1,
            version_id=cast.ids[version],
            outcome=outcome,
            method="individual",
            conditions=list(conditions),
            reasons="Sound, once the contacts are added",
            referred_to=referred_to,
            decided_by_id=cast.ids[by] if by else None,
            on_behalf_of_id=cast.ids[on_behalf_of] if on_behalf_of else None,
            recorded_by_label="someone",
            supersedes_id=supersedes,
        )
        session.add(decision)
        await session.flush()
        if emit_event:
            await emit(
                session,
                events.SignOffDecisionRecorded(
                    organisation_id=cast.org,
                    sign_off_id=cast.ids["sign_off"],
                    stage_id=cast.ids[stage],
                    decision_id=decision.id,
                    document_id=cast.ids["document"],
                    version_id=cast.ids[version],
                    outcome=outcome,
                    decided_by_id=decision.decided_by_id,
                    on_behalf_of_id=decision.on_behalf_of_id,
                ),
            )
        return decision.id


async def start_stage(
    cast: Cast, participants: list[str], *, round: int = 1, version: str = "v01"
) -> None:
    async with cast.step() as session:
        await emit(
            session,
            events.SignOffStageStarted(
                organisation_id=cast.org,
                sign_off_id=cast.ids["sign_off"],
                stage_id=cast.ids["director"],
                document_id=cast.ids["document"],
                version_id=cast.ids[version],
                stage_name="Director approval",
                round=round,
                participant_ids=[cast.ids[p] for p in participants],
                board_id=None,
                agenda_item_id=None,
            ),
        )


async def publish(cast: Cast, *, with_sign_off: bool = True) -> None:
    async with cast.step() as session:
        await emit(
            session,
            events.DocumentPublished(
                organisation_id=cast.org,
                document_id=cast.ids["document"],
                version_id=cast.ids["v02"],
                number="1.0",
                issued_on=date(2026, 12, 8),
                effective_on=date(2027, 1, 4),
                next_review_due=date(2027, 12, 8),
                sign_off_id=cast.ids["sign_off"] if with_sign_off else None,
            ),
        )


async def relay(world: World) -> None:
    await relay_once(world.sessionmaker, RecordingTransport())


async def notices(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())


def who(found: list[Notification]) -> list[str]:
    # Everyone told is in the first organisation: its people only.
    assert all(n.recipient_email.endswith("@alpha.example.org") for n in found)
    return sorted(n.recipient_email.split("@")[0] for n in found)


def by_person(found: list[Notification]) -> dict[str, Notification]:
    return {n.recipient_email.split("@")[0]: n for n in found}


# --- scenarios, one per kind -------------------------------------------------------------------


async def stage_started(world: World) -> Cast:
    """Director approval starts for the decider, the inactive leaver, and the decider again."""
    cast = await cast_of(world)
    await start_stage(cast, ["decider", "leaver", "decider"])
    await relay(world)
    return cast


async def amended_draft(world: World) -> Cast:
    """Approved with conditions (a first decision corrected), amended: round 2 on draft 0.2."""
    cast = await cast_of(world)
    first = await decide(
        cast,
        "director",
        "approved_with_conditions",
        by="decider",
        conditions=("An earlier condition",),
        emit_event=False,
    )
    await decide(
        cast,
        "director",
        "approved_with_conditions",
        by="decider",
        conditions=(CONDITION,),
        supersedes=first,
        emit_event=False,
    )
    async with cast.step() as session:
        sign_off = await session.get(SignOff, cast.ids["sign_off"])
        stage = await session.get(SignOffStage, cast.ids["director"])
        assert sign_off is not None and stage is not None
        sign_off.version_id = cast.ids["v02"]
        stage.round = 2
    await start_stage(cast, ["decider"], round=2, version="v02")
    await relay(world)
    return cast


async def conditions_set(world: World) -> Cast:
    """The decider approves with conditions."""
    cast = await cast_of(world)
    await decide(
        cast, "director", "approved_with_conditions", by="decider", conditions=(CONDITION,)
    )
    await relay(world)
    return cast


async def withdrawn(world: World) -> Cast:
    """The submitter withdraws while Director approval waits: the stage is cancelled."""
    cast = await cast_of(world)
    async with cast.step() as session:
        sign_off = await session.get(SignOff, cast.ids["sign_off"])
        stage = await session.get(SignOffStage, cast.ids["director"])
        assert sign_off is not None and stage is not None
        sign_off.status = "withdrawn"
        stage.status = "cancelled"
        await emit(
            session,
            events.SignOffClosed(
                organisation_id=cast.org,
                sign_off_id=cast.ids["sign_off"],
                document_id=cast.ids["document"],
                status="withdrawn",
            ),
        )
    await relay(world)
    return cast


async def published(world: World) -> Cast:
    """Owner and decider approve (a decision by the lawyer was corrected away): 1.0 issued."""
    cast = await cast_of(world)
    await decide(cast, "rsm", "approved", by="owner", emit_event=False)
    wrong = await decide(cast, "director", "approved", by="lawyer", emit_event=False)
    await decide(
        cast,
        "director",
        "approved",
        by="delegate",
        on_behalf_of="decider",
        supersedes=wrong,
        emit_event=False,
    )
    await publish(cast)
    await relay(world)
    return cast


async def queued(world: World, *, policy_officers_left: bool = False) -> Cast:
    cast = await cast_of(world)
    async with cast.step() as session:
        if policy_officers_left:
            officers = select(PersonRole.person_id).where(PersonRole.role == "policy_officer")
            await session.execute(
                update(Person).where(Person.id.in_(officers)).values(is_active=False)
            )
        publication = Publication(
            id=uuid.uuid4(),
            organisation_id=cast.org,
            document_id=cast.ids["document"],
            version_id=cast.ids["v02"],
            action="upload",
            status="pending",
            reason="issued",
        )
        session.add(publication)
        await session.flush()
        await emit(
            session,
            events.PublicationQueued(
                organisation_id=cast.org,
                publication_id=publication.id,
                document_id=cast.ids["document"],
                version_id=cast.ids["v02"],
                action="upload",
            ),
        )
    await relay(world)
    return cast


async def delegated(world: World) -> Cast:
    """The decider lends their sign-off to the delegate over Christmas."""
    cast = await cast_of(world)
    async with cast.step() as session:
        delegation = Delegation(
            id=uuid.uuid4(),
            organisation_id=cast.org,
            delegator_id=cast.ids["decider"],
            delegate_id=cast.ids["delegate"],
            starts_on=date(2026, 12, 21),
            ends_on=date(2027, 1, 4),
            reason="Annual leave",
            created_by_id=cast.ids["policy_officer"],
        )
        session.add(delegation)
        await session.flush()
        await emit(
            session,
            events.DelegationCreated(
                organisation_id=cast.org,
                delegation_id=delegation.id,
                delegator_id=cast.ids["decider"],
                delegate_id=cast.ids["delegate"],
                starts_on=delegation.starts_on,
                ends_on=delegation.ends_on,
            ),
        )
    await relay(world)
    return cast


async def legal_question(cast: Cast, *, reviewer: str | None, answered: bool = False) -> uuid.UUID:
    async with cast.step() as session:
        review = LegalReview(
            id=uuid.uuid4(),
            organisation_id=cast.org,
            document_id=cast.ids["document"],
            version_id=cast.ids["v01"],
            question="May we share the child's address with the police?",
            requested_by_id=cast.ids["writer"],
            reviewer_id=cast.ids[reviewer] if reviewer else None,
        )
        session.add(review)
        await session.flush()
        await emit(
            session,
            events.LegalReviewRequested(
                organisation_id=cast.org,
                legal_review_id=review.id,
                document_id=cast.ids["document"],
                reviewer_id=review.reviewer_id,
            ),
        )
    if answered:
        async with cast.step() as session:
            found = await session.get(LegalReview, review.id)
            assert found is not None
            found.outcome = "changes_advised"
            found.advice = "Cite the data protection exemption."
            found.answered_by_id = cast.ids["lawyer"]
            found.answered_at = found.created_at
            await emit(
                session,
                events.LegalReviewAnswered(
                    organisation_id=cast.org,
                    legal_review_id=review.id,
                    document_id=cast.ids["document"],
                    outcome="changes_advised",
                ),
            )
    return review.id


async def legal_review_asked(world: World) -> Cast:
    cast = await cast_of(world)
    await legal_question(cast, reviewer="lawyer")
    await relay(world)
    return cast


async def legal_review_answered(world: World) -> Cast:
    cast = await cast_of(world)
    await legal_question(cast, reviewer="lawyer", answered=True)
    await relay(world)
    return cast


async def proposal_approved(world: World, *, lead: str = "lead") -> Cast:
    cast = await cast_of(world)
    async with cast.step() as session:
        proposal = Proposal(
            id=uuid.uuid4(),
            organisation_id=cast.org,
            title="A procedure for children missing from care",
            sponsor_id=cast.ids["sponsor"],
            lead_officer_id=cast.ids[lead],
            status="approved",
            decision_note="Consult the police first",
            created_by_id=cast.ids["sponsor"],
        )
        session.add(proposal)
        await session.flush()
        await emit(
            session,
            events.ProposalDecided(
                organisation_id=cast.org,
                proposal_id=proposal.id,
                document_id=None,
                status="approved",
            ),
        )
    await relay(world)
    return cast


# --- who is told -------------------------------------------------------------------------------


async def test_a_started_stage_asks_each_active_participant_once(world: World) -> None:
    cast = await stage_started(world)
    found = await notices(world, "sign_off.decision_needed")
    assert who(found) == ["decider"]  # once, and not the leaver
    context = found[0].context
    assert context["stage_name"] == "Director approval"
    assert context["version"] == "0.1"
    assert context["round"] == 1
    assert context["conditions"] == []
    assert context["sign_off_path"] == f"/v1/sign-offs/{cast.ids['sign_off']}"
    assert found[0].document_id == cast.ids["document"]


async def test_a_board_stage_decided_at_a_meeting_asks_no_one_by_email(world: World) -> None:
    cast = await cast_of(world)
    await start_stage(cast, [])
    await relay(world)
    async with world.sessionmaker() as session:
        started = await session.execute(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type == "sign_off.stage_started")
        )
        assert started.scalar() == 1  # the event was there; the agenda emails cover it
    assert await notices(world, "sign_off.decision_needed") == []


async def test_a_second_round_asks_to_check_the_amended_draft_against_the_current_conditions(
    world: World,
) -> None:
    await amended_draft(world)
    [notice] = await notices(world, "sign_off.decision_needed")
    assert notice.context["round"] == 2
    assert notice.context["version"] == "0.2"
    # The corrected decision's conditions, not those of the decision it superseded.
    assert notice.context["conditions"] == [CONDITION]


async def test_a_decision_tells_the_document_people_submitter_and_policy_officers_not_the_decider(
    world: World,
) -> None:
    await conditions_set(world)
    found = await notices(world, "sign_off.decided")
    # Not the decider herself, nor the inactive policy officer, nor the other organisation.
    assert who(found) == ["owner", "po2", "policy_officer", "ro", "submitter", "writer"]
    told = by_person(found)
    context = told["ro"].context
    assert context["outcome"] == "approved_with_conditions"
    assert context["outcome_words"] == "approved with conditions"
    assert context["conditions"] == [CONDITION]
    assert context["reasons"] == "Sound, once the contacts are added"
    assert context["decided_by_name"] == "Decider"
    assert context["on_behalf_of_name"] is None
    assert context["stage_name"] == "Director approval"
    assert context["version"] == "0.1"
    # Only the responsible officer is told to make the amendments.
    assert [n for n, c in told.items() if c.context["is_responsible_officer"]] == ["ro"]


async def test_an_owner_deciding_their_own_documents_stage_is_not_told_of_their_decision(
    world: World,
) -> None:
    cast = await cast_of(world)
    await decide(cast, "rsm", "approved", by="owner")
    await relay(world)
    found = await notices(world, "sign_off.decided")
    assert who(found) == ["po2", "policy_officer", "ro", "submitter", "writer"]
    assert {n.context["stage_name"] for n in found} == {"RSM approval"}


async def test_a_responsible_officer_without_one_named_is_the_owner_standing_in(
    world: World,
) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        document = await documents.get_document(session, cast.po, cast.ids["document"])
        document.responsible_officer_id = None
    await decide(cast, "director", "approved_with_conditions", by="decider", conditions=("x",))
    await relay(world)
    told = by_person(await notices(world, "sign_off.decided"))
    assert "ro" not in told
    assert [n for n, c in told.items() if c.context["is_responsible_officer"]] == ["owner"]


async def test_a_delegates_decision_says_on_behalf_of_whom_and_tells_the_approver(
    world: World,
) -> None:
    cast = await cast_of(world)
    await decide(cast, "director", "approved", by="delegate", on_behalf_of="decider")
    await relay(world)
    found = await notices(world, "sign_off.decided")
    assert "delegate" not in who(found)
    context = found[0].context
    assert (context["decided_by_name"], context["on_behalf_of_name"]) == ("Delegate", "Decider")
    assert context["outcome_words"] == "approved"


@pytest.mark.parametrize(
    ("referred", "words"),
    [
        ("board", "deferred to Senior Leadership Team"),
        ("people", "deferred to Decider and Lawyer"),
        ("post", "deferred to Sponsor"),
        ("document_role", "deferred to Owner"),
        (None, "deferred"),
    ],
)
async def test_a_deferral_names_the_body_or_person_it_went_to(
    referred: str | None, words: str, world: World
) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        board = await boards.create_board(session, cast.po, NewBoard(name="Senior Leadership Team"))
        session.add(
            Post(
                organisation_id=cast.org,
                post="director_of_practice",
                service_area="Children in care",
                person_id=cast.ids["sponsor"],
            )
        )
    referred_to = {
        "board": {"kind": "board", "board_id": str(board.id), "via": "meeting"},
        "people": {
            "kind": "people",
            "people": [str(cast.ids["decider"]), str(cast.ids["lawyer"])],
            "rule": "all",
        },
        "post": {"kind": "post", "post": "director_of_practice"},
        "document_role": {"kind": "document_role", "role": "owner"},
        None: None,
    }[referred]
    await decide(cast, "director", "deferred", by="decider", referred_to=referred_to)
    await relay(world)
    found = await notices(world, "sign_off.decided")
    assert {n.context["outcome_words"] for n in found} == {words}


async def test_a_withdrawn_sign_off_tells_the_people_asked_to_decide_the_cancelled_stage(
    world: World,
) -> None:
    await withdrawn(world)
    found = await notices(world, "sign_off.withdrawn")
    # Director approval was cancelled: its active participant; not the RSM who already decided.
    assert who(found) == ["decider"]
    assert found[0].context["stage_names"] == ["Director approval"]


@pytest.mark.parametrize("status", ["rejected", "ratification_refused", "completed"])
async def test_a_sign_off_closed_otherwise_sends_nothing_more(status: str, world: World) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        stage = await session.get(SignOffStage, cast.ids["director"])
        assert stage is not None
        stage.status = "cancelled"  # even a cancelled stage: the decision email covered it
        await emit(
            session,
            events.SignOffClosed(
                organisation_id=cast.org,
                sign_off_id=cast.ids["sign_off"],
                document_id=cast.ids["document"],
                status=status,
            ),
        )
    await relay(world)
    async with world.sessionmaker() as session:
        kinds = (await session.execute(select(Notification.kind))).scalars().all()
    assert set(kinds) == {"document.assigned"}


async def test_publication_tells_the_document_people_current_deciders_and_policy_officers(
    world: World,
) -> None:
    await published(world)
    found = await notices(world, "document.published")
    # The lawyer's decision was corrected away; the delegate decided for the decider.
    assert who(found) == [
        "decider",
        "delegate",
        "owner",
        "po2",
        "policy_officer",
        "ro",
        "writer",
    ]
    context = found[0].context
    assert context["version"] == "1.0"
    assert (context["issued_on"], context["effective_on"], context["next_review_due"]) == (
        "2026-12-08",
        "2027-01-04",
        "2027-12-08",
    )


async def test_a_version_issued_without_a_sign_off_tells_the_document_people_only(
    world: World,
) -> None:
    cast = await cast_of(world)
    await decide(cast, "director", "approved", by="decider", emit_event=False)
    await publish(cast, with_sign_off=False)
    await relay(world)
    assert who(await notices(world, "document.published")) == [
        "owner",
        "po2",
        "policy_officer",
        "ro",
        "writer",
    ]


async def test_a_queued_publication_tells_the_active_policy_officers_only(world: World) -> None:
    await queued(world)
    found = await notices(world, "publication.queued")
    assert who(found) == ["po2", "policy_officer"]
    assert (found[0].context["action"], found[0].context["reason"]) == ("upload", "issued")
    assert found[0].context["version"] == "0.2"


async def test_with_no_active_policy_officer_a_queued_publication_tells_the_admins(
    world: World,
) -> None:
    # The one policy team (services/domain/people/policy_team.py): the admins stand in.
    await queued(world, policy_officers_left=True)
    assert who(await notices(world, "publication.queued")) == ["admin"]


async def test_a_delegation_tells_the_delegate_and_the_delegator(world: World) -> None:
    await delegated(world)
    found = await notices(world, "delegation.created")
    assert who(found) == ["decider", "delegate"]
    told = by_person(found)
    assert told["delegate"].context["is_delegate"] is True
    assert told["decider"].context["is_delegate"] is False
    assert (told["decider"].context["starts_on"], told["decider"].context["ends_on"]) == (
        "2026-12-21",
        "2027-01-04",
    )
    assert told["decider"].document_id is None


async def test_a_legal_question_goes_to_the_lawyer_named(world: World) -> None:
    await legal_review_asked(world)
    found = await notices(world, "legal_review.requested")
    assert who(found) == ["lawyer"]
    context = found[0].context
    assert context["question"] == "May we share the child's address with the police?"
    assert (context["version"], context["to_policy_team"]) == ("0.1", False)


@pytest.mark.parametrize("reviewer", [None, "leaver"])
async def test_a_legal_question_with_no_active_lawyer_named_goes_to_the_policy_officers(
    reviewer: str | None, world: World
) -> None:
    cast = await cast_of(world)
    await legal_question(cast, reviewer=reviewer)
    await relay(world)
    found = await notices(world, "legal_review.requested")
    assert who(found) == ["po2", "policy_officer"]
    assert {n.context["to_policy_team"] for n in found} == {True}


async def test_legal_advice_goes_to_whoever_asked_and_the_responsible_officer(
    world: World,
) -> None:
    await legal_review_answered(world)
    found = await notices(world, "legal_review.answered")
    assert who(found) == ["ro", "writer"]
    context = found[0].context
    assert (context["outcome"], context["advice"]) == (
        "changes_advised",
        "Cite the data protection exemption.",
    )
    assert context["answered_by_name"] == "Lawyer"


async def test_a_decided_proposal_tells_its_sponsor_lead_and_creator_once_each(
    world: World,
) -> None:
    await proposal_approved(world)
    found = await notices(world, "proposal.decided")
    assert who(found) == ["lead", "sponsor"]  # the sponsor created it: told once
    context = found[0].context
    assert (context["status"], context["decision_note"]) == ("approved", "Consult the police first")
    assert context["proposal_title"] == "A procedure for children missing from care"


async def test_an_inactive_lead_officer_is_not_told_of_the_proposal(world: World) -> None:
    await proposal_approved(world, lead="leaver")
    assert who(await notices(world, "proposal.decided")) == ["sponsor"]


async def test_fanning_out_the_same_sign_off_events_again_creates_nothing_more(
    world: World,
) -> None:
    await published(world)
    async with world.sessionmaker() as session, session.begin():
        for event in (await session.execute(select(OutboxEvent))).scalars().all():
            assert (await fan_out(session, event)).notifications == []


# --- only while true ---------------------------------------------------------------------------


@pytest.fixture
def file_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "mail_backend": "file",
            "mail_dir": tmp_path / "mail",
            "frontend_base_url": "http://policygov.example",
        }
    )


async def send(world: World, settings: Settings, notification: Notification) -> str:
    ctx = {
        "settings": settings,
        "sessionmaker": world.sessionmaker,
        "transport": RecordingTransport(),
    }
    return await send_notification(ctx, str(notification.id))


Change = Callable[[Cast, SignOff, SignOffStage], None]
CHANGES: dict[str, Change] = {
    "decided": lambda cast, sign_off, stage: setattr(stage, "status", "approved"),
    "sent back": lambda cast, sign_off, stage: setattr(stage, "round", 2),
    "amended": lambda cast, sign_off, stage: setattr(sign_off, "version_id", cast.ids["v02"]),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_a_request_to_decide_is_void_once_the_stage_no_longer_waits_for_it(
    change: str, world: World, file_settings: Settings
) -> None:
    cast = await stage_started(world)
    [stale] = await notices(world, "sign_off.decision_needed")
    async with cast.step() as session:
        sign_off = await session.get(SignOff, cast.ids["sign_off"])
        stage = await session.get(SignOffStage, cast.ids["director"])
        assert sign_off is not None and stage is not None
        CHANGES[change](cast, sign_off, stage)
    assert await send(world, file_settings, stale) == "cancelled"
    assert not file_settings.mail_dir.exists() or not any(file_settings.mail_dir.iterdir())


async def test_a_request_to_decide_still_waiting_is_sent(
    world: World, file_settings: Settings
) -> None:
    await stage_started(world)
    [notice] = await notices(world, "sign_off.decision_needed")
    assert await send(world, file_settings, notice) == "sent"
    assert [p.name for p in file_settings.mail_dir.iterdir()] == [f"{notice.id}.eml"]


# --- what they read ----------------------------------------------------------------------------

Scenario = Callable[[World], Awaitable[Cast]]
# Each kind, the scenario that makes it, the person whose email is read, and facts it must show.
RENDERED: list[tuple[str, Scenario, str, list[str]]] = [
    (
        "sign_off.decision_needed",
        stage_started,
        "decider",
        ["Sign-off needed", "Director approval", "version 0.1", "/sign-offs/"],
    ),
    (
        "sign_off.decision_needed",
        amended_draft,
        "decider",
        ["Amended draft to check", "version 0.2", CONDITION],
    ),
    (
        "sign_off.decided",
        conditions_set,
        "ro",
        [
            "approved with conditions",
            CONDITION,
            "Decider",
            "What to do next",
            "/amendments",
            "You are the responsible officer of CS-PR-012.",
        ],
    ),
    ("sign_off.withdrawn", withdrawn, "decider", ["withdrawn", "Director approval"]),
    (
        "document.published",
        published,
        "owner",
        [
            "Version 1.0",
            "Tuesday 8 December 2026",
            "Monday 4 January 2027",
            "Wednesday 8 December 2027",
            "You are the owner of CS-PR-012.",
        ],
    ),
    ("publication.queued", queued, "po2", ["upload", "Trix", "version 0.2", "issued"]),
    (
        "delegation.created",
        delegated,
        "delegate",
        ["Decider", "Monday 21 December 2026", "Monday 4 January 2027", "Annual leave"],
    ),
    (
        "legal_review.requested",
        legal_review_asked,
        "lawyer",
        ["share the child", "version 0.1", "Writer"],
    ),
    (
        "legal_review.answered",
        legal_review_answered,
        "writer",
        ["changes advised", "Cite the data protection exemption.", "Lawyer"],
    ),
    (
        "proposal.decided",
        proposal_approved,
        "sponsor",
        ["approved", "A procedure for children missing from care", "Consult the police first"],
    ),
]


@pytest.mark.parametrize(
    ("kind", "scenario", "person", "facts"),
    RENDERED,
    ids=[f"{r[0]}-{r[1].__name__}" for r in RENDERED],
)
async def test_each_sign_off_email_renders_its_key_facts_in_text_and_html(
    kind: str,
    scenario: Scenario,
    person: str,
    facts: list[str],
    world: World,
    file_settings: Settings,
) -> None:
    await scenario(world)
    notification = by_person(await notices(world, kind))[person]
    message = render(notification, file_settings)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    subject = str(message["Subject"])
    for body in (text.get_content(), html.get_content()):
        part = f"{subject}\n{body}"
        assert f"Dear {person.replace('_', ' ').title()}," in part
        for fact in facts:
            assert fact in part.replace("&#39;", "'"), fact
        assert "None" not in part
        if notification.document_id is not None:
            assert "CS-PR-012" in part
            assert f"http://policygov.example/documents/{notification.document_id}" in part
    if notification.document_id is not None:
        assert "CS-PR-012" in subject
