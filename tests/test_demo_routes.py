"""The demo governance routes (services/domain/demo/routes/<slug>.json) say what the seeds say."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.demo.loader import load_data, load_routes, seed_organisation
from services.domain.errors import Conflict
from services.domain.governance.definition import BoardDecider, PeopleDecider, RouteDefinition
from services.domain.governance.posts import holder_of
from services.domain.governance.service import choose_route, route_version
from services.domain.models.boards import Board
from services.domain.models.documents import DEFAULT_KINDS, Document
from services.domain.models.governance import GovernanceRoute, Post, RouteVersion
from services.domain.models.people import Person
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def seed(sessionmaker: Session, slug: str) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, SPECS[slug])
        await session.commit()
    return counts


async def org_id(session: AsyncSession, slug: str) -> uuid.UUID:
    org = await organisations.find_by_slug(session, slug)
    assert org is not None
    return org.id


async def routes_of(session: AsyncSession, slug: str) -> dict[str, GovernanceRoute]:
    rows = await session.execute(
        select(GovernanceRoute).where(
            GovernanceRoute.organisation_id == await org_id(session, slug)
        )
    )
    return {route.key: route for route in rows.scalars()}


async def definition_of(session: AsyncSession, route: GovernanceRoute) -> RouteDefinition:
    return RouteDefinition.model_validate((await route_version(session, route)).definition)


async def document(session: AsyncSession, slug: str, reference: str) -> Document:
    found = await session.execute(
        select(Document).where(
            Document.organisation_id == await org_id(session, slug),
            Document.reference == reference,
        )
    )
    return found.scalar_one()


async def board_name(session: AsyncSession, decider: Any) -> str:
    assert isinstance(decider, BoardDecider)
    board = await session.get(Board, decider.board_id)
    assert board is not None
    return board.name


async def person_email(session: AsyncSession, person_id: uuid.UUID | None) -> str | None:
    if person_id is None:
        return None
    person = await session.get(Person, person_id)
    assert person is not None
    return person.email


@pytest.mark.parametrize("slug", sorted(SPECS))
def test_every_route_file_names_only_seeded_boards_people_and_kinds(slug: str) -> None:
    data = load_routes(slug)
    assert data is not None and data["routes"], slug
    boards = {b["name"] for b in SPECS[slug]["boards"]}
    emails = {p["email"] for p in SPECS[slug]["people"]}
    kinds = {key for key, _, _ in DEFAULT_KINDS}
    assert {p["person_email"] for p in data["posts"]} <= emails
    for route in data["routes"]:
        assert set(route["kinds"]) <= kinds, route["key"]
        for stage in route["definition"]["stages"]:
            for decider in (stage["decider"], stage.get("refer_to")):
                if decider and "board_name" in decider:
                    assert decider["board_name"] in boards, (route["key"], decider)
                if decider and "people_emails" in decider:
                    assert set(decider["people_emails"]) <= emails, route["key"]


async def test_seed_demo_creates_every_organisations_routes_and_posts_once(
    sessionmaker: Session,
) -> None:
    for slug in SPECS:
        data = load_routes(slug)
        assert data is not None
        counts = await seed(sessionmaker, slug)
        assert counts["routes"] == len(data["routes"]), slug
        assert counts["posts"] == len(data["posts"]), slug
    async with sessionmaker() as session:
        versions = await session.scalar(select(func.count()).select_from(RouteVersion))
        posts = await session.scalar(select(func.count()).select_from(Post))
        for slug in SPECS:
            found = await routes_of(session, slug)
            assert sorted(found) == sorted(r["key"] for r in load_routes(slug)["routes"])  # type: ignore[index]
            for route in found.values():
                definition = await definition_of(session, route)  # validates, or raises
                for stage in definition.stages:
                    for decider in (stage.decider, stage.refer_to):
                        if isinstance(decider, BoardDecider):
                            board = await session.get(Board, decider.board_id)
                            assert board is not None
                            assert board.organisation_id == route.organisation_id
    for slug in SPECS:
        again = await seed(sessionmaker, slug)
        assert again == dict.fromkeys(again, 0), slug
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(RouteVersion)) == versions
        assert await session.scalar(select(func.count()).select_from(Post)) == posts


async def test_lbbd_route_asks_about_cabinet_member_executive_group_and_key_decision(
    sessionmaker: Session,
) -> None:
    await seed(sessionmaker, "lbbd")
    async with sessionmaker() as session:
        found = await routes_of(session, "lbbd")
        assert len(found) == 1
        route = next(iter(found.values()))
        assert {"policy", "procedure"} <= set(route.kinds) and not route.is_alternative
        definition = await definition_of(session, route)
        questions = {q.key: q.text for q in definition.questions}
        assert (
            "Cabinet Member for Health and Social Care Integration" in questions["cabinet_member"]
        )
        assert "key decision" in questions["key_decision"]
        stages = {s.key: s for s in definition.stages}
        assert [s.key for s in definition.stages] == [
            "omt",
            "adults_improvement_board",
            "cabinet_member",
            "executive_group",
            "cabinet",
        ]
        assert stages["omt"].purpose == "information"
        assert await board_name(session, stages["omt"].decider) == (
            "Operational Management Team (OMT)"
        )
        assert stages["adults_improvement_board"].condition is None
        assert {k: (s.condition.question if s.condition else None) for k, s in stages.items()} == {
            "omt": None,
            "adults_improvement_board": None,
            "cabinet_member": "cabinet_member",
            "executive_group": "executive_group",
            "cabinet": "key_decision",
        }
        assert await board_name(session, stages["cabinet"].decider) == "Cabinet"
        holder = await holder_of(session, route.organisation_id, "cabinet_member", None)
        assert (await person_email(session, holder)) == "rosalind.ashworth@lbbd.example.org"
        assert definition.gates == ["eia_screened", "legal_review"]
        assert definition.review_interval_months == 12


async def test_birmingham_sign_off_matrix_chooses_by_category(sessionmaker: Session) -> None:
    await seed(sessionmaker, "bct")
    async with sessionmaker() as session:
        organisation_id = await org_id(session, "bct")
        ad = await holder_of(session, organisation_id, "assistant_director", "Children in Need")
        assert (await person_email(session, ad)) == "siobhan.carver@bct.example.org"
        ad = await holder_of(session, organisation_id, "assistant_director", "disabled children")
        assert (await person_email(session, ad)) == "lamar.bennett@bct.example.org"

        chosen = {}
        for reference in ("POL-001", "POL-002", "PROC-001", "PROC-003", "PROC-004", "PS-001"):
            route, version = await choose_route(
                session, await document(session, "bct", reference), None
            )
            chosen[reference] = (route.key, RouteDefinition.model_validate(version.definition))
        assert {ref: key for ref, (key, _) in chosen.items()} == {
            "POL-001": "overarching_policy",
            "POL-002": "practice_area",
            "PROC-001": "practice_area",
            "PROC-003": "trix_chapter",
            "PROC-004": "single_service_procedure",
            "PS-001": "practice_standards",
        }
        overarching = chosen["POL-001"][1].stages[0]
        assert await board_name(session, overarching.decider) == "Executive Team"
        assert await board_name(session, overarching.refer_to) == "Trust Board"
        practice_area = chosen["PROC-001"][1].stages[0]
        assert await board_name(session, practice_area.decider) == "Director Leadership Group"
        assert await board_name(session, practice_area.refer_to) == "Executive Team"
        ad_stage, shared = chosen["PROC-004"][1].stages
        assert ad_stage.decider.kind == "post" and ad_stage.decider.post == "assistant_director"
        assert (shared.purpose, shared.after_issue) == ("information", True)
        assert await board_name(session, shared.decider) == "Director Leadership Group"
        assert chosen["PROC-003"][1].review_interval_months == 6
        # "send document out to meeting attendees for consultation": a draft goes to a meeting
        # once that consultation has closed; the single service area consults "if they need to".
        assert {ref: definition.gates for ref, (_, definition) in chosen.items()} == {
            "POL-001": ["consultation_closed"],
            "POL-002": ["consultation_closed"],
            "PROC-001": ["consultation_closed"],
            "PROC-003": [],
            "PROC-004": [],
            "PS-001": ["consultation_closed"],
        }
        # "Lack of response by the consultation deadline will be taken as agreement."
        assert all(definition.deemed_agreement for _, definition in chosen.values())


async def test_birmingham_procedure_without_a_category_has_no_default_route(
    sessionmaker: Session,
) -> None:
    await seed(sessionmaker, "bct")
    async with sessionmaker() as session:
        procedure = await document(session, "bct", "PROC-001")
        procedure.category = None
        with pytest.raises(Conflict):
            await choose_route(session, procedure, None)


async def test_cafcass_ecmt_then_the_board_only_when_it_needs_to_go_there(
    sessionmaker: Session,
) -> None:
    await seed(sessionmaker, "cafcass")
    async with sessionmaker() as session:
        route, version = await choose_route(
            session, await document(session, "cafcass", "POL-002"), None
        )
        definition = RouteDefinition.model_validate(version.definition)
        assert route.key == "policy_sign_off"
        assert definition.gates == [
            "proposal_approved",
            "consultation_closed",
            "eia_screened",
            "legal_review",
            "fit_for_purpose",
            # "The final draft version is submitted to ECMT with a full communications plan".
            "communication_plan_ready",
        ]
        ecmt, board = definition.stages
        assert ecmt.condition is None
        assert await board_name(session, ecmt.decider) == (
            "Extended Corporate Management Team (ECMT)"
        )
        assert board.condition is not None and board.condition.question == "board_approval"
        assert await board_name(session, board.decider) == "Cafcass Board"
        assert definition.review_interval_months == 12
        assert definition.deemed_agreement is False  # silence is not agreement at Cafcass


async def test_cafcass_ecmt_by_circulation_is_a_simple_majority_with_a_quorum_and_a_time_limit(
    sessionmaker: Session,
) -> None:
    # Cafcass 4.13: final sign-off "within a CMT/ECMT meeting or outside".
    await seed(sessionmaker, "cafcass")
    async with sessionmaker() as session:
        routes = await routes_of(session, "cafcass")
        circulation = routes["ecmt_by_circulation"]
        assert circulation.is_alternative
        definition = await definition_of(session, circulation)
        assert definition.gates == (await definition_of(session, routes["policy_sign_off"])).gates
        (stage,) = definition.stages
        decider = stage.decider
        assert isinstance(decider, PeopleDecider)
        assert (decider.rule, decider.quorum, decider.allow_abstention) == (
            "simple_majority",
            2,
            True,
        )
        assert sorted([await person_email(session, p) for p in decider.people]) == [
            "catherine.ashdown@cafcass.example.org",
            "mark.penrose@cafcass.example.org",
            "rupert.langham@cafcass.example.org",
        ]
        assert (stage.time_limit_working_days, stage.escalate_after_working_days) == (10, 3)


async def test_nct_rsm_has_six_weeks_to_sign_off_before_being_chased(
    sessionmaker: Session,
) -> None:
    # NCT 3.1 iii: "a six-week period (approx.) to review and approve (or reject)".
    await seed(sessionmaker, "nct")
    async with sessionmaker() as session:
        for route in (await routes_of(session, "nct")).values():
            (stage,) = (await definition_of(session, route)).stages
            assert stage.time_limit_working_days == 30, route.key
            assert stage.escalate_after_working_days == 5, route.key


async def test_nct_rsm_signs_off_and_defers_to_slt_several_rsms_only_when_named(
    sessionmaker: Session,
) -> None:
    await seed(sessionmaker, "nct")
    async with sessionmaker() as session:
        procedure = await document(session, "nct", "PROC-004")
        route, version = await choose_route(session, procedure, None)
        assert route.key == "rsm_sign_off"
        (stage,) = RouteDefinition.model_validate(version.definition).stages
        assert stage.decider.kind == "document_role" and stage.decider.role == "owner"
        assert await board_name(session, stage.refer_to) == "Senior Leadership Team (SLT)"
        several = (await routes_of(session, "nct"))["several_rsms"]
        assert several.is_alternative
        named, version = await choose_route(session, procedure, several.id)
        (stage,) = RouteDefinition.model_validate(version.definition).stages
        assert named.id == several.id
        assert stage.decider.kind == "people" and stage.decider.people == []
        assert stage.decider.rule == "all"
        assert await board_name(session, stage.refer_to) == "Senior Leadership Team (SLT)"


async def test_dorset_ppp_group_by_default_director_and_interim_approval_as_alternatives(
    sessionmaker: Session,
) -> None:
    await seed(sessionmaker, "dorset")
    async with sessionmaker() as session:
        found = await routes_of(session, "dorset")
        assert sorted(k for k, r in found.items() if r.is_alternative) == [
            "director_approval",
            "interim_approval",
        ]
        # 2.1: the partnership's documents have their own route (tests/scenarios).
        assert sorted(found) == [
            "director_approval",
            "interim_approval",
            "multi_agency_partnership",
            "ppp_group",
        ]
        procedure = await document(session, "dorset", "PROC-003")
        route, version = await choose_route(session, procedure, None)
        assert route.key == "ppp_group"
        (stage,) = RouteDefinition.model_validate(version.definition).stages
        assert await board_name(session, stage.decider) == "Practice, Policy and Procedures Group"
        assert await board_name(session, stage.refer_to) == (
            "Extended Children's Services Leadership Team (xCSLT)"
        )
        _, version = await choose_route(session, procedure, found["director_approval"].id)
        director, reported = RouteDefinition.model_validate(version.definition).stages
        assert director.decider.kind == "post" and director.decider.post == "director"
        assert (reported.purpose, reported.after_issue) == ("information", True)
        _, version = await choose_route(session, procedure, found["interim_approval"].id)
        interim, full = RouteDefinition.model_validate(version.definition).stages
        assert interim.decider.kind == "post" and interim.decider.post == "head_of_service"
        assert (full.purpose, full.after_issue) == ("ratification", True)
        assert await board_name(session, full.decider) == "Practice, Policy and Procedures Group"

        organisation_id = route.organisation_id
        fostering = await holder_of(session, organisation_id, "head_of_service", "Fostering")
        assert (await person_email(session, fostering)) == "megan.halloran@dorset.example.org"
        elsewhere = await holder_of(session, organisation_id, "head_of_service", "Early Help")
        assert (await person_email(session, elsewhere)) == "stuart.pengelly@dorset.example.org"
        director_id = await holder_of(session, organisation_id, "director", "Fostering")
        assert (await person_email(session, director_id)) == "hannah.cole@dorset.example.org"
        # Dorset 2.1: Cabinet only may approve policies, so no PPP route takes one.
        with pytest.raises(Conflict):
            await choose_route(session, await document(session, "dorset", "POL-001"), None)
