"""Meeting emails: who is told of each meeting event (once, only if active), and what they read.

The data is made by the domain functions, as the API would, with the policy officer of the
world's first organisation acting; the relay then fans the outbox events out.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.boards import agenda, attendance, meetings, members, minutes
from services.domain.boards import service as boards
from services.domain.boards.commands import (
    AttendanceEntry,
    AttendanceSheet,
    BoardChange,
    MeetingChange,
    MemberChange,
    NewAction,
    NewAgendaItem,
    NewBoard,
    NewDecision,
    NewMeeting,
    NewMember,
)
from services.domain.calendar.working_days import Offset
from services.domain.clock import LONDON, london_today
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.governance import service as routes
from services.domain.governance.commands import NewRoute
from services.domain.models.meetings import AttendanceStatus, Meeting
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.notifications.service import fan_out
from services.domain.people import service as people
from services.domain.people.commands import PersonChange
from services.domain.settings import Settings
from services.domain.sign_off import service as sign_offs
from services.domain.sign_off.commands import NewSignOff
from services.notifier.email import render
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from services.notifier.sweeps import sweep_all
from tests.factories import World
from tests.notifier.conftest import RecordingTransport

BOARD = "PPP Group"
ROOM = "Room 2, County Hall"
AGENDA_DEADLINE = Offset(10, "working_days")
PRESENT, APOLOGIES, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.ABSENT,
)


def at_london(day: date, hour: int = 10) -> datetime:
    """A London wall-clock time as the UTC moment the database stores."""
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)


# Fixed days far enough ahead to plan items for (all Tuesdays), and two held ones.
DEC_2036 = at_london(date(2036, 12, 9))
DEC_2036_MOVED = at_london(date(2036, 12, 16))
JAN_2037 = at_london(date(2037, 1, 13))
JUNE_2036 = at_london(date(2036, 6, 10))  # British Summer Time: 09:00 UTC
HELD_NOV_2025 = at_london(date(2025, 11, 11))
HELD_DEC_2025 = at_london(date(2025, 12, 9))


@dataclass
class Cast:
    """Who is who in a scenario: people by nickname (their email is nickname@alpha...)."""

    world: World
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    board_id: uuid.UUID | None = None
    meeting_id: uuid.UUID | None = None
    documents: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def po(self) -> Principal:
        return Principal(
            organisation_id=self.world.a.id,
            person_id=self.world.a.policy_officer.person_id,
            roles=frozenset({"policy_officer"}),
            label="Policy Officer of alpha",
        )

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        """One transaction, as one request would be."""
        async with self.world.sessionmaker() as session, session.begin():
            yield session

    async def board(self, session: AsyncSession) -> Any:
        assert self.board_id is not None
        return await boards.get_board(session, self.po, self.board_id)

    async def meeting(self, session: AsyncSession, meeting_id: uuid.UUID | None = None) -> Meeting:
        found = meeting_id or self.meeting_id
        assert found is not None
        return await meetings.get_meeting(session, self.po, found)


async def cast_of(world: World, *, deadline: bool = False) -> Cast:
    """People, two documents and the PPP Group with a chair (and delegate) and two members."""
    cast = Cast(world)
    names = "chair deputy member leaver presenter ro owner owner2 outsider action_owner head_of_qa"
    async with cast.step() as session:
        for name in names.split():
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name.replace("_", " ").title(),
                email=f"{name}@alpha.example.org",
                roles=["reader"],
            )
            cast.ids[name] = person.id
        cast.ids["policy_officer"] = cast.po.person_id  # type: ignore[assignment]
        safeguarding = await documents.create_document(
            session,
            cast.po,
            NewDocument.of(
                {
                    "reference": "CS-PR-012",
                    "title": "Children missing from care",
                    "kind": "procedure",
                    "owner_id": cast.ids["owner"],
                    "responsible_officer_id": cast.ids["ro"],
                }
            ),
        )
        await versions.add_version(
            session,
            cast.po,
            safeguarding,
            filename="missing.txt",
            content=b"What to do when a child is missing from care.",
            declared_media_type="text/plain",
            change_summary="First draft",
            issue=False,
            max_bytes=1024 * 1024,
        )
        # No responsible officer: the owner (RSM) stands in.
        lone = await documents.create_document(
            session,
            cast.po,
            NewDocument.of(
                {
                    "reference": "HR-P-004",
                    "title": "Lone working",
                    "kind": "policy",
                    "owner_id": cast.ids["owner2"],
                }
            ),
        )
        cast.documents = {"safeguarding": safeguarding.id, "lone": lone.id}
        board = await boards.create_board(
            session,
            cast.po,
            NewBoard(
                name=BOARD,
                default_location=ROOM,
                escalation_person_id=cast.ids["head_of_qa"],
                deadline_rules={"agenda": AGENDA_DEADLINE} if deadline else {},
                members=[
                    NewMember(
                        person_id=cast.ids["chair"], role="chair", delegate_id=cast.ids["deputy"]
                    ),
                    NewMember(person_id=cast.ids["member"]),
                    NewMember(person_id=cast.ids["leaver"]),
                ],
            ),
        )
        cast.board_id = board.id
    return cast


async def deactivate(cast: Cast, name: str) -> None:
    async with cast.step() as session:
        person = await people.get_person(session, cast.po, cast.ids[name])
        await people.update_person(
            session,
            cast.po,
            person,
            PersonChange(is_active=False),
            expected_version=person.row_version,
        )


async def new_meeting(cast: Cast, starts_at: datetime) -> uuid.UUID:
    async with cast.step() as session:
        meeting = await meetings.create_meeting(
            session, cast.po, await cast.board(session), NewMeeting(starts_at=starts_at)
        )
        return meeting.id


async def submit(cast: Cast, meeting_id: uuid.UUID, **fields: Any) -> uuid.UUID:
    if "document" in fields:
        fields["document_id"] = cast.documents[fields.pop("document")]
    if "presenter" in fields:
        fields["presenter_id"] = cast.ids[fields.pop("presenter")]
    async with cast.step() as session:
        item, _ = await agenda.submit_item(
            session,
            cast.po,
            await cast.board(session),
            NewAgendaItem(meeting_id=meeting_id, **fields),
        )
        return item.id


async def withdraw(cast: Cast, item_id: uuid.UUID) -> None:
    async with cast.step() as session:
        item = await agenda.get_item(session, cast.po, item_id)
        await agenda.withdraw_item(session, cast.po, item, expected_version=item.row_version)


async def move(cast: Cast, meeting_id: uuid.UUID, starts_at: datetime) -> None:
    async with cast.step() as session:
        meeting = await cast.meeting(session, meeting_id)
        await meetings.update_meeting(
            session,
            cast.po,
            meeting,
            MeetingChange(starts_at=starts_at),
            expected_version=meeting.row_version,
        )


async def cancel(cast: Cast, meeting_id: uuid.UUID, reason: str = "The chair is unwell") -> None:
    async with cast.step() as session:
        meeting = await cast.meeting(session, meeting_id)
        await meetings.cancel_meeting(
            session, cast.po, meeting, reason, expected_version=meeting.row_version
        )


async def circulate(cast: Cast, meeting_id: uuid.UUID) -> None:
    async with cast.step() as session:
        await meetings.circulate_papers(session, cast.po, await cast.meeting(session, meeting_id))


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
    return sorted(n.recipient_email.split("@")[0] for n in found)


def by_person(found: list[Notification]) -> dict[str, Notification]:
    return {n.recipient_email.split("@")[0]: n for n in found}


# --- scenarios, one per kind -------------------------------------------------------------------


async def moved_meeting(world: World) -> Cast:
    """Four items on the December meeting (one withdrawn), then it moves a week later."""
    cast = await cast_of(world)
    meeting_id = cast.meeting_id = await new_meeting(cast, DEC_2036)
    cast.ids["item_a"] = await submit(
        cast, meeting_id, ask="new_proposal", document="safeguarding", presenter="presenter"
    )
    await submit(cast, meeting_id, ask="information", title="Audit progress", presenter="presenter")
    await submit(cast, meeting_id, ask="information", title="Exit interviews", presenter="leaver")
    await submit(cast, meeting_id, ask="review_approval", document="lone")
    withdrawn = await submit(
        cast, meeting_id, ask="information", title="Old business", presenter="outsider"
    )
    await withdraw(cast, withdrawn)
    await deactivate(cast, "leaver")
    await move(cast, meeting_id, DEC_2036_MOVED)
    await relay(world)
    return cast


async def cancelled_meeting(world: World) -> Cast:
    """Two items on the December meeting, which is cancelled: they go to January's."""
    cast = await cast_of(world)
    meeting_id = cast.meeting_id = await new_meeting(cast, DEC_2036)
    cast.ids["january"] = await new_meeting(cast, JAN_2037)
    await submit(
        cast, meeting_id, ask="new_proposal", document="safeguarding", presenter="presenter"
    )
    await submit(cast, meeting_id, ask="information", title="Audit progress", presenter="presenter")
    await cancel(cast, meeting_id)
    await relay(world)
    return cast


async def circulated_papers(world: World) -> Cast:
    """A June meeting (summer time) with three items, one withdrawn, and its papers sent."""
    cast = await cast_of(world)
    meeting_id = cast.meeting_id = await new_meeting(cast, JUNE_2036)
    cast.ids["item_a"] = await submit(
        cast, meeting_id, ask="new_proposal", document="safeguarding", presenter="presenter"
    )
    await submit(cast, meeting_id, ask="information", title="Audit progress", presenter="outsider")
    withdrawn = await submit(cast, meeting_id, ask="information", title="Old business")
    await withdraw(cast, withdrawn)
    await deactivate(cast, "leaver")
    await circulate(cast, meeting_id)
    await relay(world)
    return cast


async def issued_minutes(world: World) -> Cast:
    """A meeting held in June 2025: a decision corrected by a later one, two actions."""
    cast = await cast_of(world)
    meeting_id = cast.meeting_id = await new_meeting(cast, DEC_2036)
    item_a = await submit(
        cast, meeting_id, ask="new_proposal", document="safeguarding", presenter="presenter"
    )
    item_b = await submit(cast, meeting_id, ask="information", title="Audit progress")
    await move(cast, meeting_id, at_london(date(2025, 6, 10)))
    async with cast.step() as session:
        meeting = await cast.meeting(session)
        first = await minutes.record_decision(
            session,
            cast.po,
            meeting,
            NewDecision(agenda_item_id=item_a, outcome="approved", method="consensus"),
        )
        await minutes.record_decision(
            session,
            cast.po,
            meeting,
            NewDecision(
                agenda_item_id=item_a,
                outcome="approved_with_conditions",
                conditions=["Add the police contact numbers"],
                method="consensus",
                supersedes_id=first.id,
            ),
        )
        await minutes.record_decision(
            session,
            cast.po,
            meeting,
            NewDecision(agenda_item_id=item_b, outcome="noted", method="chair"),
        )
        for owner, description in (
            ("action_owner", "Add the police contact numbers"),
            ("member", "Tell the teams"),
        ):
            await minutes.add_action(
                session,
                cast.po,
                meeting,
                NewAction(
                    agenda_item_id=item_a,
                    description=description,
                    owner_id=cast.ids[owner],
                    due_on=date(2025, 7, 1),
                ),
            )
    async with cast.step() as session:
        meeting = await cast.meeting(session)
        await minutes.issue_minutes(session, cast.po, meeting, expected_version=meeting.row_version)
    await relay(world)
    return cast


async def escalated_absence(world: World) -> Cast:
    """The member is absent, without a delegate, from two meetings in a row."""
    cast = await cast_of(world)
    for starts_at in (HELD_NOV_2025, HELD_DEC_2025):
        cast.meeting_id = await new_meeting(cast, starts_at)
        async with cast.step() as session:
            await attendance.record_attendance(
                session,
                cast.po,
                await cast.meeting(session),
                AttendanceSheet(
                    attendance=[
                        AttendanceEntry(person_id=cast.ids["chair"], status=PRESENT),
                        AttendanceEntry(person_id=cast.ids["leaver"], status=PRESENT),
                        AttendanceEntry(person_id=cast.ids["member"], status=ABSENT),
                    ]
                ),
            )
    await relay(world)
    return cast


async def deferred_item(world: World) -> Cast:
    """An item for a meeting in three days (agenda deadline: 10 working days) goes to January."""
    cast = await cast_of(world, deadline=True)
    soon = at_london(london_today() + timedelta(days=3))
    cast.ids["soon"] = await new_meeting(cast, soon)
    cast.meeting_id = await new_meeting(cast, JAN_2037)
    await submit(
        cast, cast.ids["soon"], ask="new_proposal", document="safeguarding", presenter="presenter"
    )
    await relay(world)
    return cast


# --- who is told -------------------------------------------------------------------------------


async def test_a_moved_meeting_tells_presenters_submitters_and_acting_ros_of_planned_items_once(
    world: World,
) -> None:
    cast = await moved_meeting(world)
    found = await notices(world, "meeting.moved")
    # owner2 stands in as RO of HR-P-004; the leaver is inactive; the outsider's item was
    # withdrawn; members without items are not told.
    assert who(found) == ["owner2", "policy_officer", "presenter", "ro"]
    told = by_person(found)
    # Each person's own items, in agenda order (progress report, new proposals, reviews).
    assert told["policy_officer"].context["items"] == [
        "Audit progress",
        "Exit interviews",
        "Children missing from care",
        "Lone working",
    ]
    assert told["presenter"].context["items"] == ["Audit progress", "Children missing from care"]
    assert told["ro"].context["items"] == ["Children missing from care"]
    context = told["ro"].context
    assert context["board_name"] == BOARD
    assert context["meeting_id"] == str(cast.meeting_id)
    assert context["previous_starts_at"] == DEC_2036.isoformat()
    assert context["starts_at"] == DEC_2036_MOVED.isoformat()
    assert context["location"] == ROOM
    # One document concerned: the notice is filed under it; two: under none.
    assert told["ro"].document_id == cast.documents["safeguarding"]
    assert told["presenter"].document_id == cast.documents["safeguarding"]
    assert told["owner2"].document_id == cast.documents["lone"]
    assert told["policy_officer"].document_id is None


async def test_a_cancelled_meeting_tells_the_people_with_items_where_the_items_went(
    world: World,
) -> None:
    cast = await cancelled_meeting(world)
    found = await notices(world, "meeting.cancelled")
    assert who(found) == ["policy_officer", "presenter", "ro"]
    context = by_person(found)["presenter"].context
    assert context["reason"] == "The chair is unwell"
    assert context["starts_at"] == DEC_2036.isoformat()
    assert context["moved_to_starts_at"] == JAN_2037.isoformat()
    assert context["items"] == ["Audit progress", "Children missing from care"]
    assert context["meeting_id"] == str(cast.meeting_id)


async def test_a_cancelled_meeting_with_no_later_one_says_the_items_wait(world: World) -> None:
    cast = await cast_of(world)
    meeting_id = await new_meeting(cast, DEC_2036)
    await submit(cast, meeting_id, ask="information", title="Audit progress", presenter="presenter")
    await cancel(cast, meeting_id)
    await relay(world)
    found = await notices(world, "meeting.cancelled")
    assert who(found) == ["policy_officer", "presenter"]
    assert {n.context["moved_to_starts_at"] for n in found} == {None}


async def test_papers_go_to_each_active_member_and_standing_delegate_with_the_agenda_in_order(
    world: World,
) -> None:
    cast = await circulated_papers(world)
    found = await notices(world, "meeting.papers_circulated")
    # Not the inactive member, nor presenters or officers who do not sit on the board.
    assert who(found) == ["chair", "deputy", "member"]
    context = found[0].context
    assert context["starts_at"] == JUNE_2036.isoformat()
    assert context["is_late"] is False
    assert context["location"] == ROOM
    assert context["agenda"] == [
        {
            "section": "progress_report",
            "title": "Audit progress",
            "reference": None,
            "version": None,
            "paper_path": None,
        },
        {
            "section": "new_proposals_and_drafts",
            "title": "Children missing from care",
            "reference": "CS-PR-012",
            "version": "0.1",
            "paper_path": f"/v1/agenda-items/{cast.ids['item_a']}/paper",
        },
    ]
    assert {n.document_id for n in found} == {cast.documents["safeguarding"]}


async def test_a_standing_delegate_who_is_also_a_member_gets_the_papers_once(world: World) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        board = await cast.board(session)
        seat = await members.membership(session, board.id, cast.ids["member"])
        assert seat is not None
        await members.update_member(
            session,
            cast.po,
            board,
            seat,
            MemberChange(delegate_id=cast.ids["chair"]),
            expected_version=seat.row_version,
        )
    await circulate(cast, await new_meeting(cast, JUNE_2036))
    await relay(world)
    assert who(await notices(world, "meeting.papers_circulated")) == [
        "chair",
        "deputy",
        "leaver",
        "member",
    ]


async def test_minutes_go_to_members_and_action_owners_with_only_current_decisions(
    world: World,
) -> None:
    cast = await issued_minutes(world)
    found = await notices(world, "meeting.minutes_issued")
    assert who(found) == ["action_owner", "chair", "leaver", "member"]
    told = by_person(found)
    context = told["chair"].context
    # The first decision on the item was superseded: only the correction is minuted.
    assert context["decisions"] == [
        {"title": "Audit progress", "outcome": "noted", "conditions": []},
        {
            "title": "Children missing from care",
            "outcome": "approved_with_conditions",
            "conditions": ["Add the police contact numbers"],
        },
    ]
    assert context["actions"] == [
        {
            "description": "Add the police contact numbers",
            "owner_name": "Action Owner",
            "due_on": "2025-07-01",
        },
        {"description": "Tell the teams", "owner_name": "Member", "due_on": "2025-07-01"},
    ]
    assert context["your_actions"] == []
    assert [a["description"] for a in told["action_owner"].context["your_actions"]] == [
        "Add the police contact numbers"
    ]
    assert [a["description"] for a in told["member"].context["your_actions"]] == ["Tell the teams"]
    assert context["meeting_id"] == str(cast.meeting_id)


async def test_two_missed_meetings_are_escalated_to_the_boards_escalation_person_only(
    world: World,
) -> None:
    await escalated_absence(world)
    found = await notices(world, "board.attendance_escalated")
    assert who(found) == ["head_of_qa"]
    assert found[0].context["member_name"] == "Member"
    assert found[0].context["missed"] == ["2025-11-11", "2025-12-09"]
    assert found[0].document_id is None


async def test_an_escalation_with_no_one_to_escalate_to_sends_nothing(world: World) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        board = await cast.board(session)
        await boards.update_board(
            session,
            cast.po,
            board,
            BoardChange(escalation_person_id=None),
            expected_version=board.row_version,
        )
    for starts_at in (HELD_NOV_2025, HELD_DEC_2025):
        meeting_id = await new_meeting(cast, starts_at)
        async with cast.step() as session:
            await attendance.record_attendance(
                session,
                cast.po,
                await cast.meeting(session, meeting_id),
                AttendanceSheet(
                    attendance=[AttendanceEntry(person_id=cast.ids["member"], status=APOLOGIES)]
                ),
            )
    await relay(world)
    async with world.sessionmaker() as session:
        escalations = await session.execute(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type == "board.attendance_escalated")
        )
        assert escalations.scalar() == 1  # the event was there; nobody to tell
    assert await notices(world, "board.attendance_escalated") == []


async def test_a_late_item_sent_to_a_later_meeting_tells_its_submitter_and_presenter(
    world: World,
) -> None:
    cast = await deferred_item(world)
    found = await notices(world, "agenda_item.deferred")
    # Not the document's responsible officer: the submitter and presenter act on it.
    assert who(found) == ["policy_officer", "presenter"]
    context = found[0].context
    assert context["title"] == "Children missing from care"
    assert context["meeting_id"] == str(cast.meeting_id)
    assert context["starts_at"] == JAN_2037.isoformat()
    async with world.sessionmaker() as session:
        soon = await session.get(Meeting, cast.ids["soon"])
        assert soon is not None
    assert context["requested_starts_at"] == soon.starts_at.isoformat()
    assert {n.document_id for n in found} == {cast.documents["safeguarding"]}


async def test_a_sign_off_item_placed_after_the_agenda_deadline_says_so_to_submitter_and_presenter(
    world: World, file_settings: Settings
) -> None:
    """The sign-off engine tables a board stage at the next meeting; when that meeting's agenda
    deadline has passed the item goes to the one after. Nobody asked for a meeting: the email
    says what happened, to the sign-off's submitter and the presenter (the acting RO)."""
    cast = await cast_of(world, deadline=True)
    soon = await new_meeting(cast, at_london(london_today() + timedelta(days=3)))
    cast.meeting_id = await new_meeting(cast, JAN_2037)
    submitter = Principal(world.a.id, cast.ids["owner"], frozenset({"approver"}), "owner")
    async with cast.step() as session:
        route = await routes.create_route(
            session,
            cast.po,
            organisation_id=world.a.id,
            command=NewRoute.of(
                {
                    "key": "ppp",
                    "name": "PPP Group approval",
                    "kinds": ["procedure"],
                    "definition": {
                        "stages": [
                            {
                                "key": "ppp",
                                "name": "PPP Group approval",
                                "decider": {"kind": "board", "board_id": str(cast.board_id)},
                            }
                        ]
                    },
                }
            ),
        )
        draft = await versions.latest_version(session, cast.documents["safeguarding"])
        assert draft is not None
        sign_off = await sign_offs.submit(
            session,
            submitter,
            NewSignOff.of(
                {
                    "document_id": cast.documents["safeguarding"],
                    "version_id": draft.id,
                    "route_id": route.id,
                }
            ),
        )
    await relay(world)
    found = await notices(world, "agenda_item.deferred")
    # The owner submitted it; the RO presents it. The item was tabled by no person.
    assert who(found) == ["owner", "ro"]
    context = by_person(found)["owner"].context
    assert context["placed_by_sign_off"] is True
    assert context["stage_name"] == "PPP Group approval"
    assert context["sign_off_path"] == f"/v1/sign-offs/{sign_off.id}"
    assert context["agenda_deadline"] is not None
    assert (context["is_submitter"], context["is_presenter"]) == (True, False)
    async with world.sessionmaker() as session:
        requested = await session.get(Meeting, soon)
        assert requested is not None
    assert context["requested_starts_at"] == requested.starts_at.isoformat()
    assert context["starts_at"] == JAN_2037.isoformat()
    for person in ("owner", "ro"):
        text, html = bodies(render(by_person(found)[person], file_settings))
        for body in (text, html.replace("&rsquo;", "'")):
            assert "the meeting you asked for" not in body
            assert "automatically when the sign-off stage PPP Group approval began" in body
            assert "agenda deadline for the board's meeting on" in body
            assert "Tuesday 13 January 2037, 10:00" in body
            assert f"/sign-offs/{sign_off.id}?token=" in body
    owner_text, _ = bodies(render(by_person(found)["owner"], file_settings))
    assert "as the person who submitted the draft for sign-off" in owner_text
    ro_text, _ = bodies(render(by_person(found)["ro"], file_settings))
    assert "as the item's presenter" in ro_text


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


async def test_a_late_item_the_chair_accepts_for_its_meeting_tells_no_one(world: World) -> None:
    cast = await cast_of(world, deadline=True)
    soon = await new_meeting(cast, at_london(london_today() + timedelta(days=3)))
    await new_meeting(cast, JAN_2037)
    await submit(
        cast, soon, ask="information", title="Urgent", presenter="presenter", accept_late=True
    )
    await relay(world)
    assert await notices(world, "agenda_item.deferred") == []


# --- once, and only while true -----------------------------------------------------------------


async def test_fanning_out_the_same_events_again_creates_no_second_notification(
    world: World,
) -> None:
    await circulated_papers(world)
    async with world.sessionmaker() as session:
        first = (await session.execute(select(func.count()).select_from(Notification))).scalar()
    assert first
    for _ in range(2):
        async with world.sessionmaker() as session, session.begin():
            events = (await session.execute(select(OutboxEvent))).scalars().all()
            for event in events:
                created = await fan_out(session, event)
                assert created.notifications == []
    async with world.sessionmaker() as session:
        again = (await session.execute(select(func.count()).select_from(Notification))).scalar()
    assert again == first


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


async def test_papers_for_a_meeting_cancelled_meanwhile_are_void_but_the_cancellation_is_sent(
    world: World, file_settings: Settings
) -> None:
    cast = await circulated_papers(world)
    assert cast.meeting_id is not None
    await cancel(cast, cast.meeting_id)
    await relay(world)
    papers = await notices(world, "meeting.papers_circulated")
    assert [await send(world, file_settings, n) for n in papers] == ["cancelled"] * 3
    [cancellation, *_] = await notices(world, "meeting.cancelled")
    assert await send(world, file_settings, cancellation) == "sent"
    assert [p.name for p in (file_settings.mail_dir).iterdir()] == [f"{cancellation.id}.eml"]


async def test_a_move_notice_is_void_once_the_meeting_has_moved_again(
    world: World, file_settings: Settings
) -> None:
    cast = await moved_meeting(world)
    assert cast.meeting_id is not None
    [stale, *_] = await notices(world, "meeting.moved")
    await move(cast, cast.meeting_id, JAN_2037)
    await relay(world)
    assert await send(world, file_settings, stale) == "cancelled"
    later = [
        n
        for n in await notices(world, "meeting.moved")
        if n.context["starts_at"] == JAN_2037.isoformat()
    ]
    assert later and await send(world, file_settings, later[0]) == "sent"


# --- what they read ----------------------------------------------------------------------------

Scenario = Callable[[World], Awaitable[Cast]]
RENDERED: list[tuple[str, Scenario, str]] = [
    ("meeting.moved", moved_meeting, "Tuesday 16 December 2036, 10:00"),
    ("meeting.cancelled", cancelled_meeting, "Tuesday 9 December 2036, 10:00"),
    # 09:00 UTC in June is 10:00 in London.
    ("meeting.papers_circulated", circulated_papers, "Tuesday 10 June 2036, 10:00"),
    ("meeting.minutes_issued", issued_minutes, "Tuesday 10 June 2025, 10:00"),
    ("board.attendance_escalated", escalated_absence, "Tuesday 9 December 2025"),
    ("agenda_item.deferred", deferred_item, "Tuesday 13 January 2037, 10:00"),
]


@pytest.mark.parametrize(("kind", "scenario", "when"), RENDERED, ids=[r[0] for r in RENDERED])
async def test_each_meeting_email_shows_the_board_and_the_london_date_and_time(
    kind: str, scenario: Scenario, when: str, world: World, file_settings: Settings
) -> None:
    await scenario(world)
    [notification, *_] = await notices(world, kind)
    message = render(notification, file_settings)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    for part in (str(message["Subject"]), text.get_content(), html.get_content()):
        assert BOARD in part
        assert when in part
    link = f"http://policygov.example/meetings/{notification.context['meeting_id']}"
    assert link in text.get_content() and link in html.get_content()


# --- a year of meetings ------------------------------------------------------------------------


async def test_the_sweep_generates_a_years_scheduled_meetings_once(
    world: World, settings: Settings
) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        board = await cast.board(session)
        # Dorset: the second Tuesday of each month, excluding August and December.
        await boards.update_board(
            session,
            cast.po,
            board,
            BoardChange(
                schedule_rule="FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11",
                schedule_starts_on=date(2026, 1, 1),
            ),
            expected_version=board.row_version,
        )
    transport = RecordingTransport()
    first = await sweep_all(world.sessionmaker, settings, transport, today=date(2026, 9, 1))
    second = await sweep_all(world.sessionmaker, settings, transport, today=date(2026, 9, 1))
    assert (first.meetings_generated, second.meetings_generated) == (10, 0)
    async with world.sessionmaker() as session:
        starts = (
            (
                await session.execute(
                    select(Meeting.starts_at)
                    .where(Meeting.board_id == cast.board_id)
                    .order_by(Meeting.starts_at)
                )
            )
            .scalars()
            .all()
        )
    assert [s.astimezone(LONDON).replace(tzinfo=None) for s in starts] == [
        datetime(2026, 9, 8, 10),
        datetime(2026, 10, 13, 10),
        datetime(2026, 11, 10, 10),
        datetime(2027, 1, 12, 10),
        datetime(2027, 2, 9, 10),
        datetime(2027, 3, 9, 10),
        datetime(2027, 4, 13, 10),
        datetime(2027, 5, 11, 10),
        datetime(2027, 6, 8, 10),
        datetime(2027, 7, 13, 10),
    ]
    # A later sweep adds only what the moving window newly reaches (14 September 2027).
    later = await sweep_all(world.sessionmaker, settings, transport, today=date(2026, 9, 15))
    assert later.meetings_generated == 1


async def test_a_board_whose_schedule_fails_does_not_stop_the_others(
    world: World, settings: Settings
) -> None:
    cast = await cast_of(world)
    async with cast.step() as session:
        board = await cast.board(session)
        await boards.update_board(
            session,
            cast.po,
            board,
            BoardChange(
                schedule_rule="FREQ=MONTHLY;BYDAY=+2TU", schedule_starts_on=date(2026, 1, 1)
            ),
            expected_version=board.row_version,
        )
        broken = await boards.create_board(session, cast.po, NewBoard(name="Broken schedule"))
        # Stored before today's validation existed, say: the sweep must survive it.
        broken.schedule_rule = "FREQ=SECONDLY"
        broken.schedule_starts_on = date(2026, 1, 1)
    transport = RecordingTransport()
    report = await sweep_all(world.sessionmaker, settings, transport, today=date(2026, 9, 1))
    assert report.meetings_generated == 12
