"""A consultation with every kind of consultee, for the report tests (through the domain).

On the draft 0.1 of POL-CR-1, an internal consultation with deemed agreement (Birmingham):

- the world's reader (support with comments, a <script> and a formula in their text),
- Asha Patel (support, amended once), Dev Singh (silent: deemed agreement at the close),
- Ben Okafor and Finn Walsh through the Safeguarding Board (Ben objects; Finn is silent,
  deemed to agree at the close, then responds late),
- Carol Jones of the Police (external; her emailed response recorded by the author) and
  Eve Smith of the NHS (external, silent: deemed agreement).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.boards import service as boards
from services.domain.boards.commands import NewBoard, NewMember
from services.domain.clock import london_today
from services.domain.consultations import closing, lifecycle, opening, responses, service
from services.domain.consultations.commands import (
    Audience,
    ConsulteeResponse,
    External,
    NewConsultation,
    Question,
    ResponseAnalysis,
)
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.models.consultations import Consultation
from services.domain.people import service as people
from tests.factories import World

READER_COMMENTS = "<script>alert('x')</script> Please add the out-of-hours number."
QUESTIONS = [
    {"key": "clear", "text": "Is the procedure clear?", "kind": "yes_no", "required": False},
    {
        "key": "option",
        "text": "Which option do you prefer?",
        "kind": "choice",
        "options": ["A", "B", "C"],
    },
    {"key": "anything", "text": "Anything else?", "kind": "text"},
]


@dataclass
class Cast:
    world: World
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    closes_on: date | None = None
    closes_at: datetime | None = None

    def principal(self, name: str, role: str = "reader") -> Principal:
        return Principal(
            organisation_id=self.world.a.id,
            person_id=self.ids[name],
            roles=frozenset({role}),
            label=name,
        )

    @property
    def po(self) -> Principal:
        return Principal(
            organisation_id=self.world.a.id,
            person_id=self.world.a.policy_officer.person_id,
            roles=frozenset({"policy_officer"}),
            label="Policy Officer of alpha",
        )

    @property
    def author(self) -> Principal:
        return Principal(
            organisation_id=self.world.a.id,
            person_id=self.world.a.author.person_id,
            roles=frozenset({"author"}),
            label="Author of alpha",
        )

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        """One transaction, as one request would be."""
        async with self.world.sessionmaker() as session, session.begin():
            yield session

    async def consultation(self, session: AsyncSession) -> Consultation:
        found = await session.get(Consultation, self.ids["consultation"])
        assert found is not None
        return found

    async def respond(self, name: str, **fields: Any) -> uuid.UUID:
        async with self.step() as session:
            consultation = await self.consultation(session)
            response, _ = await responses.respond_as_consultee(
                session, self.principal(name), consultation, ConsulteeResponse(**fields)
            )
            return response.id

    async def analyse(self, response_id: uuid.UUID, **fields: Any) -> None:
        async with self.step() as session:
            consultation = await self.consultation(session)
            response = await responses.get_response(session, consultation, response_id)
            await responses.analyse_response(
                session, self.author, consultation, response, ResponseAnalysis(**fields)
            )


async def open_consultation(world: World) -> Cast:
    """The consultation, open, with the reader's, Asha's, Ben's and Carol's responses in."""
    cast = Cast(world)
    cast.ids["reader"] = world.a.reader.person_id  # type: ignore[assignment]
    async with cast.step() as session:
        for name in ("Asha Patel", "Ben Okafor", "Dev Singh", "Finn Walsh"):
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name,
                email=f"{name.split()[0].lower()}@alpha.example.org",
                roles=["reader"],
            )
            cast.ids[name.split()[0].lower()] = person.id
        board = await boards.create_board(
            session,
            cast.po,
            NewBoard(
                name="Safeguarding Board",
                members=[
                    NewMember(person_id=cast.ids["ben"]),
                    NewMember(person_id=cast.ids["finn"]),
                ],
            ),
        )
        document = await documents.create_document(
            session,
            cast.po,
            NewDocument.of(
                {
                    "reference": "POL-CR-1",
                    "title": "Missing children procedure",
                    "kind": "policy",
                    "author_id": world.a.author.person_id,
                    "responsible_officer_id": world.a.author.person_id,
                    "owner_id": world.a.approver.person_id,
                }
            ),
        )
        cast.ids["document"] = document.id
        draft = await versions.add_version(
            session,
            cast.author,
            document,
            filename="draft.txt",
            content=b"What to do when a child is missing.",
            declared_media_type="text/plain",
            change_summary="First draft",
            issue=False,
            max_bytes=1024 * 1024,
        )
        cast.ids["v01"] = draft.id
        # By the end of a London day five days on: it closes at the following midnight.
        cast.closes_on = london_today() + timedelta(days=5)
        cast.closes_at = closing.end_of_day(cast.closes_on)
        command = NewConsultation(
            document_id=document.id,
            version_id=draft.id,
            kind="internal",
            title="Missing children: internal consultation",
            audience=Audience(
                people=[cast.ids["reader"], cast.ids["asha"], cast.ids["dev"]],
                boards=[board.id],
                external=[
                    External(
                        name="Carol Jones", email="carol@police.example.org", represents="Police"
                    ),
                    External(name="Eve Smith", email="eve@nhs.example.org", represents="NHS"),
                ],
            ),
            closes_at=cast.closes_at,
            deemed_agreement=True,
            questions=[Question.of(q) for q in QUESTIONS],
        )
        consultation = await opening.open_consultation(
            session, cast.author, command, default_reminder_days=[7, 2]
        )
        cast.ids["consultation"] = consultation.id

    cast.ids["r_reader"] = await cast.respond(
        "reader",
        position="support_with_comments",
        comments=READER_COMMENTS,
        answers={"clear": True, "option": "A", "anything": '=HYPERLINK("http://evil.example")'},
    )
    await cast.respond("asha", position="no_view")
    cast.ids["r_asha"] = await cast.respond(
        "asha", position="support", answers={"clear": True, "option": "B"}
    )
    cast.ids["r_ben"] = await cast.respond(
        "ben",
        position="object",
        comments="Thresholds are unclear.",
        answers={"clear": False, "option": "A", "anything": "Rewrite section 3."},
    )
    async with cast.step() as session:
        consultation = await cast.consultation(session)
        carol = next(
            c
            for c in await service.consultees_of(session, consultation)
            if c.email == "carol@police.example.org"
        )
        response, _ = await responses.record_for(
            session,
            cast.author,
            consultation,
            carol,
            ConsulteeResponse(
                position="support_with_comments",
                comments="+44 20 7946 0000 is the wrong number.",
            ),
        )
        cast.ids["r_carol"] = response.id
    return cast


async def closed_consultation(world: World) -> Cast:
    """Then: closed at its deadline (Dev, Eve and Finn deemed to agree), Finn responds late,
    a second draft 0.2 is written and the author analyses the responses."""
    cast = await open_consultation(world)
    assert cast.closes_at is not None
    async with cast.step() as session:
        closed = await lifecycle.close_due(session, cast.closes_at + timedelta(minutes=1))
        assert closed == 1
    cast.ids["r_finn"] = await cast.respond(
        "finn",
        position="object",
        comments="@team: I was on leave; the thresholds need another look.",
        answers={"clear": False},
    )
    async with cast.step() as session:
        document = await documents.get_document(session, cast.author, cast.ids["document"])
        second = await versions.add_version(
            session,
            cast.author,
            document,
            filename="draft.txt",
            content=b"What to do when a child is missing (revised).",
            declared_media_type="text/plain",
            change_summary="After consultation",
            issue=False,
            max_bytes=1024 * 1024,
        )
        cast.ids["v02"] = second.id
    await cast.analyse(
        cast.ids["r_reader"],
        themes=["Contacts", "Out of hours"],
        handling="accepted",
        handling_note="Added the EDT number.",
        addressed_in_version_id=cast.ids["v02"],
    )
    await cast.analyse(cast.ids["r_asha"], themes=["Contacts"])
    await cast.analyse(
        cast.ids["r_ben"],
        themes=["Thresholds", "Contacts"],
        handling="not_accepted",
        handling_note="-Thresholds are set by the safeguarding partnership.",
    )
    return cast
