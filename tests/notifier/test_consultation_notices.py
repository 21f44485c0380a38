"""Consultation emails: invitations (to people, and to external consultees through a link signed
when the email is written), reminders once per threshold to those yet to respond, the close at
the deadline with each consultee's outcome and the author's summary, cancellation, receipts,
and which invitations and reminders are void by the time they are sent.

Consultations are opened, answered, closed and cancelled with the domain functions, as the API
would; the relay fans the outbox events out, the sweep plans reminders and closes at the
deadline, and every email goes through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage, Message

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.calendar.words import long_date, long_datetime
from services.domain.clock import LONDON, london_today, utcnow
from services.domain.consultations import audience, lifecycle, links, opening, responses
from services.domain.consultations.closing import end_of_day
from services.domain.consultations.commands import (
    Audience,
    ConsulteeResponse,
    External,
    NewConsultation,
    Question,
)
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.errors import Forbidden
from services.domain.models.consultations import Consultation, Consultee
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.people import Person
from services.domain.notifications.service import fan_out
from services.domain.people import service as people
from services.domain.settings import Settings
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from services.notifier.sweeps import ConsultationSweep, sweep_all, sweep_consultations
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink

EXTERNAL = External("Pat Jones", "pat.jones@police.example", "Kent Police")
LETTER = "We are revising how we respond when a child goes missing from care."
QUESTIONS = [
    {"key": "clear", "text": "Is the escalation route clear?", "kind": "yes_no"},
    {"key": "other", "text": "Anything else?"},
]
BASE_URL = "http://policygov.example"
GRACE = timedelta(days=28)


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as running:
        yield running


@pytest.fixture
def smtp(settings: Settings, sink: Sink) -> Settings:
    return settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "smtp_timeout_seconds": 5.0,
            "frontend_base_url": BASE_URL,
        }
    )


@dataclass
class Cast:
    """People by nickname (nickname@alpha.example.org), a document with a draft, and what the
    notifier has queued, sent and received so far."""

    world: World
    settings: Settings
    sink: Sink
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    transport: RecordingTransport = field(default_factory=RecordingTransport)
    delivered: int = 0

    @property
    def org(self) -> uuid.UUID:
        return self.world.a.id

    @property
    def po(self) -> Principal:
        return Principal(
            self.org, self.world.a.policy_officer.person_id, frozenset({"policy_officer"}), "PO"
        )

    def principal(self, name: str, role: str = "reader") -> Principal:
        return Principal(self.org, self.ids[name], frozenset({role}), name)

    @property
    def writer(self) -> Principal:
        return self.principal("writer", "author")

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        """One transaction, as one request would be."""
        async with self.world.sessionmaker() as session, session.begin():
            yield session

    async def relay(self) -> None:
        while await relay_once(self.world.sessionmaker, self.transport):
            pass

    async def deliver(self) -> dict[uuid.UUID, str]:
        """Run the send job of everything queued since the last delivery: id -> outcome."""
        ctx = {
            "settings": self.settings,
            "sessionmaker": self.world.sessionmaker,
            "transport": self.transport,
        }
        outcomes = {}
        for _, target, _, _ in self.transport.jobs[self.delivered :]:
            outcomes[target] = await send_notification(ctx, str(target))
        self.delivered = len(self.transport.jobs)
        return outcomes

    async def sweep(self, now: datetime) -> ConsultationSweep:
        return await sweep_consultations(self.world.sessionmaker, self.transport, now)

    def mail_to(self, address: str) -> list[Mail]:
        return [
            Mail.of(m)
            for m in self.sink.handler.received
            if address.lower() in str(m["To"]).lower()
        ]


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str

    @classmethod
    def of(cls, received: Message) -> Mail:
        # Read again with the modern parser: unfolded headers, decoded bodies.
        message = message_from_bytes(received.as_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
        # No gap where a missing value was printed, in any consultation email.
        assert "None" not in f"{message['Subject']}{plain.get_content()}{html.get_content()}"
        return cls(
            " ".join(str(message["To"]).split()),
            " ".join(str(message["Subject"]).split()),
            plain.get_content(),
            html.get_content(),
        )

    def says(self, fact: str) -> bool:
        return all(
            fact in f"{self.subject}\n{body}".replace("&#39;", "'")
            for body in (self.text, self.html)
        )


def address(name: str) -> str:
    return f"{name}@alpha.example.org"


# The closing day: ten days on, so that the seven-day and two-day reminders both fall after
# the invitation. It closes at midnight at the end of that day (London).
def closing_day() -> date:
    return london_today() + timedelta(days=10)


def london(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


@pytest.fixture
async def cast(world: World, smtp: Settings, sink: Sink) -> Cast:
    cast = Cast(world, smtp, sink)
    async with cast.step() as session:
        for name in ("writer", "ro", "owner", "alice", "bob", "leaver"):
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name.title(),
                email=address(name),
                roles=["author"] if name == "writer" else ["reader"],
            )
            cast.ids[name] = person.id
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
        version = await versions.add_version(
            session,
            cast.po,
            document,
            filename="missing.txt",
            content=b"What to do when a child is missing.",
            declared_media_type="text/plain",
            change_summary="First draft",
            issue=False,
            max_bytes=1024 * 1024,
        )
        cast.ids["document"], cast.ids["v01"] = document.id, version.id
    # The emails about the document's people being named go out first, out of the way.
    await cast.relay()
    assert set((await cast.deliver()).values()) == {"sent"}
    sink.handler.received.clear()
    return cast


async def open_consultation(
    cast: Cast,
    consultees: tuple[str, ...] = ("alice", "bob"),
    *,
    external: bool = True,
    opens_at: datetime | None = None,
) -> uuid.UUID:
    """The writer consults on the draft until the end of the closing day; silence is agreement."""
    async with cast.step() as session:
        command = NewConsultation(
            document_id=cast.ids["document"],
            version_id=cast.ids["v01"],
            kind="internal",
            audience=Audience(
                people=[cast.ids[n] for n in consultees],
                external=[EXTERNAL] if external else [],
            ),
            description=LETTER,
            questions=[Question.of(q) for q in QUESTIONS],
            opens_at=opens_at,
            closes_on=None,
            closes_at=end_of_day(closing_day()),
            deemed_agreement=True,
        )
        consultation = await opening.open_consultation(
            session, cast.writer, command, default_reminder_days=[7, 2]
        )
        cast.ids["consultation"] = consultation.id
        return consultation.id


async def consultation_and_external(
    session: AsyncSession, cast: Cast
) -> tuple[Consultation, Consultee]:
    consultation = await session.get(Consultation, cast.ids["consultation"])
    assert consultation is not None
    external = (
        await session.execute(
            select(Consultee).where(
                Consultee.consultation_id == consultation.id, Consultee.kind == "external"
            )
        )
    ).scalar_one()
    return consultation, external


async def respond(cast: Cast, name: str, position: str = "support", comments: str = "") -> None:
    async with cast.step() as session:
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None
        await responses.respond_as_consultee(
            session,
            cast.principal(name),
            consultation,
            ConsulteeResponse(position=position, comments=comments),
        )


async def notices(cast: Cast, kind: str) -> list[Notification]:
    async with cast.world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())


def emails(found: list[Notification]) -> list[str]:
    return sorted(n.recipient_email for n in found)


def kinds_to(cast: Cast, address: str) -> list[str]:
    return sorted(m.subject.split(":")[0] for m in cast.mail_to(address))


async def set_active(cast: Cast, name: str, active: bool) -> None:
    async with cast.step() as session:
        await session.execute(
            update(Person).where(Person.id == cast.ids[name]).values(is_active=active)
        )


def respond_url(mail: Mail) -> str:
    found = re.findall(rf"{re.escape(BASE_URL)}/consultations/respond\?token=[\w.-]+", mail.text)
    assert len(set(found)) == 1, mail.text
    assert found[0] in mail.html
    return str(found[0])


def token_of(url: str) -> str:
    return url.partition("?token=")[2]


# --- invitations -------------------------------------------------------------------------------


async def test_opening_invites_each_active_person_and_the_external_consultee_once(
    cast: Cast,
) -> None:
    consultation_id = await open_consultation(cast, ("alice", "bob", "leaver"))
    await set_active(cast, "leaver", False)  # left before the invitations went out
    await cast.relay()
    found = await notices(cast, "consultation.invited")
    assert emails(found) == [address("alice"), address("bob"), EXTERNAL.email]
    outcomes = await cast.deliver()
    assert sorted(outcomes.values()) == ["sent", "sent", "sent"]
    assert cast.mail_to(address("leaver")) == []
    by_email = {n.recipient_email: n for n in found}
    external = by_email[EXTERNAL.email]
    assert external.recipient_person_id is None
    assert external.context["is_external"] is True
    assert external.context["link_version"] == 1
    assert external.context["represents"] == "Kent Police"
    assert external.dedupe_key == (
        f"event:{external.event_id}:consultee:{external.context['consultee_id']}"
    )
    alice = by_email[address("alice")]
    assert alice.recipient_person_id == cast.ids["alice"]
    assert alice.document_id == cast.ids["document"]
    context = alice.context
    assert context["is_external"] is False and "link_version" not in context
    assert context["consultation_id"] == str(consultation_id)
    assert context["version"] == "0.1"
    assert context["questions_count"] == 2
    assert context["deemed_agreement"] is True
    assert context["closing_day"] == closing_day().isoformat()
    assert datetime.fromisoformat(context["closes_at"]) == end_of_day(closing_day())
    assert context["closes_end_of_day"] is True
    [mail] = cast.mail_to(address("alice"))
    deadline = f"the end of {long(closing_day())}"
    for fact in (
        "Dear Alice,",
        "Writer would like your views on",
        "version 0.1 of CS-PR-012 Children missing from care",
        "Please respond by",
        deadline,
        "If you do not respond by the deadline, you will be taken to agree with the draft.",
        LETTER,
        "asks 2 questions",
        f"{BASE_URL}/consultations/{consultation_id}",
    ):
        assert mail.says(fact), fact
    # A person's link opens the consultation's page, signed for them; never the external
    # consultee's response page.
    assert f"{BASE_URL}/consultations/{consultation_id}?token=" in mail.text
    assert "/consultations/respond" not in mail.text + mail.html
    assert "None" not in mail.text + mail.html
    title = "CS-PR-012 Children missing from care"
    assert mail.subject == f"Consultation: {title}, please respond by {long(closing_day())}"


def long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


async def test_an_external_invitation_links_to_a_response_form_whose_token_is_never_stored(
    cast: Cast,
) -> None:
    await open_consultation(cast)
    await cast.relay()
    await cast.deliver()
    [mail] = cast.mail_to(EXTERNAL.email)
    assert mail.to == f"{EXTERNAL.name} <{EXTERNAL.email}>"
    assert mail.says("Dear Pat Jones,") and mail.says("You are consulted for Kent Police.")
    # No sign-in link for someone without an account, nor the document's own page.
    assert f"{BASE_URL}/consultations/{cast.ids['consultation']}" not in mail.text + mail.html
    assert f"{BASE_URL}/documents/" not in mail.text + mail.html
    token = token_of(respond_url(mail))
    async with cast.world.sessionmaker() as session:
        consultee, consultation = await links.consultee_for_link(
            session, cast.settings.keyring, token, GRACE
        )
        assert (consultee.email, consultation.id) == (EXTERNAL.email, cast.ids["consultation"])
        signature = token.partition(".")[2]
        for secret in (token, signature):
            stored = await session.execute(
                text("SELECT count(*) FROM notifications n WHERE strpos(n::text, :s) > 0"),
                {"s": secret},
            )
            assert stored.scalar() == 0
        # The check above reads whole rows: it finds what is there.
        there = await session.execute(
            text("SELECT count(*) FROM notifications n WHERE strpos(n::text, :s) > 0"),
            {"s": str(consultee.id)},
        )
        assert there.scalar() == 1


async def test_revoking_a_link_voids_the_pending_invitation_and_a_new_link_is_sent_signed_anew(
    cast: Cast,
) -> None:
    await open_consultation(cast)
    await cast.relay()
    [stale] = [
        n for n in await notices(cast, "consultation.invited") if n.recipient_person_id is None
    ]
    async with cast.step() as session:
        consultation, external = await consultation_and_external(session, cast)
        await audience.revoke_link(session, cast.writer, consultation, external)
    outcomes = await cast.deliver()
    assert outcomes[stale.id] == "cancelled"
    assert sorted(outcomes.values()) == ["cancelled", "sent", "sent"]
    assert cast.mail_to(EXTERNAL.email) == []
    # A new link: invited again, with the current version, and only the new token works.
    async with cast.step() as session:
        consultation, external = await consultation_and_external(session, cast)
        await audience.send_link(session, cast.writer, consultation, external)
    await cast.relay()
    assert list((await cast.deliver()).values()) == ["sent"]
    [mail] = cast.mail_to(EXTERNAL.email)
    token = token_of(respond_url(mail))
    async with cast.world.sessionmaker() as session:
        consultee, _ = await links.consultee_for_link(session, cast.settings.keyring, token, GRACE)
        assert consultee.link_version == 3
        old = links.link_token(cast.settings.keyring, consultee.id, 1)
        with pytest.raises(Forbidden):
            await links.consultee_for_link(session, cast.settings.keyring, old, GRACE)


async def test_a_newer_link_voids_the_invitation_that_carried_the_previous_one(
    cast: Cast,
) -> None:
    await open_consultation(cast)
    await cast.relay()
    async with cast.step() as session:
        consultation, external = await consultation_and_external(session, cast)
        await audience.send_link(session, cast.writer, consultation, external)
    await cast.relay()
    found = [
        n for n in await notices(cast, "consultation.invited") if n.recipient_person_id is None
    ]
    assert sorted(n.context["link_version"] for n in found) == [1, 2]
    outcomes = await cast.deliver()
    assert {n.context["link_version"]: outcomes[n.id] for n in found} == {
        1: "cancelled",
        2: "sent",
    }
    assert len(cast.mail_to(EXTERNAL.email)) == 1


async def test_consultees_added_later_are_invited_and_no_one_else_again(cast: Cast) -> None:
    await open_consultation(cast, ("alice",), external=False)
    await cast.relay()
    async with cast.step() as session:
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None
        await audience.add_consultees(
            session, cast.writer, consultation, Audience(people=[cast.ids["bob"]])
        )
    await cast.relay()
    await cast.deliver()
    assert emails(await notices(cast, "consultation.invited")) == [address("alice"), address("bob")]
    assert kinds_to(cast, address("alice")) == ["Consultation"]
    assert kinds_to(cast, address("bob")) == ["Consultation"]


async def test_a_scheduled_consultation_is_opened_by_the_sweep_and_its_consultees_invited(
    cast: Cast,
) -> None:
    opens_at = london(london_today() + timedelta(days=1))
    await open_consultation(cast, ("alice",), external=False, opens_at=opens_at)
    await cast.relay()
    assert await notices(cast, "consultation.invited") == []
    assert (await cast.sweep(opens_at - timedelta(minutes=1))).opened == 0
    assert (await cast.sweep(opens_at)).opened == 1
    assert (await cast.sweep(opens_at)).opened == 0
    await cast.relay()
    assert emails(await notices(cast, "consultation.invited")) == [address("alice")]


async def test_fanning_out_the_same_consultation_events_again_creates_nothing_more(
    cast: Cast,
) -> None:
    await open_consultation(cast)
    await respond(cast, "alice")
    await cast.relay()
    assert len(await notices(cast, "consultation.invited")) == 3
    async with cast.step() as session:
        for event in (await session.execute(select(OutboxEvent))).scalars().all():
            assert (await fan_out(session, event)).notifications == []


# --- reminders ---------------------------------------------------------------------------------


async def test_each_reminder_threshold_is_sent_once_only_to_those_yet_to_respond(
    cast: Cast,
) -> None:
    await open_consultation(cast)
    await cast.relay()
    await respond(cast, "alice")
    await cast.relay()
    await cast.deliver()
    week_before = london(closing_day() - timedelta(days=6))
    first = await cast.sweep(week_before)
    again = await cast.sweep(week_before + timedelta(hours=3))
    assert (first.reminders, again.reminders) == (2, 0)
    two_days_before = london(closing_day() - timedelta(days=1))
    assert (await cast.sweep(two_days_before)).reminders == 2
    assert (await cast.sweep(two_days_before)).reminders == 0
    found = await notices(cast, "consultation.reminder")
    assert sorted((n.recipient_email, n.context["reminder_days"]) for n in found) == [
        (address("bob"), 2),
        (address("bob"), 7),
        (EXTERNAL.email, 2),
        (EXTERNAL.email, 7),
    ]
    bob = {n.context["reminder_days"]: n for n in found if n.recipient_email == address("bob")}
    assert bob[7].dedupe_key == (
        f"consultation:{cast.ids['consultation']}:reminder:7:{bob[7].context['consultee_id']}"
    )
    assert (bob[7].context["days_left"], bob[2].context["days_left"]) == (6, 1)
    outcomes = await cast.deliver()
    assert list(outcomes.values()) == ["sent"] * 4
    assert kinds_to(cast, address("alice")) == ["Consultation", "Response received"]
    reminders = [m for m in cast.mail_to(address("bob")) if m.subject.startswith("Reminder")]
    assert [m.subject.split(":")[1] for m in reminders] == [
        " consultation closes in 6 days",
        " consultation closes tomorrow",
    ]
    for mail in reminders:
        assert mail.says("we have not yet had your response")
        assert mail.says("you will be taken to agree with the draft")
    external = [m for m in cast.mail_to(EXTERNAL.email) if m.subject.startswith("Reminder")]
    assert len(external) == 2
    token = token_of(respond_url(external[-1]))
    async with cast.world.sessionmaker() as session:
        consultee, _ = await links.consultee_for_link(session, cast.settings.keyring, token, GRACE)
        assert consultee.email == EXTERNAL.email


async def test_a_reminder_is_void_when_the_consultee_responds_before_it_is_sent(
    cast: Cast,
) -> None:
    await open_consultation(cast, ("alice", "bob"), external=False)
    await cast.relay()
    await cast.deliver()
    await cast.sweep(london(closing_day() - timedelta(days=6)))
    planned = {n.recipient_email: n for n in await notices(cast, "consultation.reminder")}
    assert sorted(planned) == [address("alice"), address("bob")]
    await respond(cast, "alice", "object", "The escalation route skips the police.")
    await cast.relay()  # her receipt is queued too
    outcomes = await cast.deliver()
    assert outcomes[planned[address("alice")].id] == "cancelled"
    assert outcomes[planned[address("bob")].id] == "sent"
    assert kinds_to(cast, address("alice")) == ["Consultation", "Response received"]
    assert kinds_to(cast, address("bob")) == ["Consultation", "Reminder"]


async def test_someone_invited_after_a_threshold_is_not_reminded_of_it(cast: Cast) -> None:
    await open_consultation(cast, ("alice",), external=False)
    await cast.relay()
    async with cast.step() as session:
        alice = (
            await session.execute(
                select(Consultee).where(Consultee.consultation_id == cast.ids["consultation"])
            )
        ).scalar_one()
        # Alice was invited only four days before the close: the seven-day reminder passed.
        alice.invited_at = end_of_day(closing_day()) - timedelta(days=4)
    assert (await cast.sweep(london(closing_day() - timedelta(days=3)))).reminders == 0
    assert (await cast.sweep(london(closing_day() - timedelta(days=1)))).reminders == 1
    [reminder] = await notices(cast, "consultation.reminder")
    assert reminder.context["reminder_days"] == 2


async def test_an_inactive_person_gets_no_reminder(cast: Cast) -> None:
    await open_consultation(cast, ("alice", "bob"), external=False)
    await set_active(cast, "bob", False)
    await cast.sweep(london(closing_day() - timedelta(days=6)))
    assert emails(await notices(cast, "consultation.reminder")) == [address("alice")]


# --- the close ---------------------------------------------------------------------------------


async def test_the_sweep_closes_at_the_deadline_and_tells_consultees_and_the_author(
    cast: Cast,
) -> None:
    await open_consultation(cast, ("alice", "bob", "owner"))
    await respond(cast, "alice", "support_with_comments", "Add the police contact numbers.")
    await respond(cast, "owner", "no_view")
    await cast.relay()
    await cast.deliver()
    closes_at = end_of_day(closing_day())
    report = await sweep_all(
        cast.world.sessionmaker, cast.settings, cast.transport, now=closes_at + timedelta(minutes=1)
    )
    assert (report.consultations_closed, report.consultation_reminders) == (1, 0)
    await cast.relay()
    outcomes = await cast.deliver()
    assert set(outcomes.values()) == {"sent"}

    closed = {n.recipient_email: n.context for n in await notices(cast, "consultation.closed")}
    # The owner, consulted too, reads their outcome in the summary: one email per event.
    assert {e: c["outcome"] for e, c in closed.items()} == {
        address("alice"): "received",
        address("bob"): "deemed_agreement",
        EXTERNAL.email: "deemed_agreement",
    }
    assert closed[address("alice")]["position"] == "support_with_comments"
    assert closed[address("bob")]["closed_early"] is False
    assert cast.mail_to(address("alice"))[-1].says("Your response was received in time")
    assert cast.mail_to(address("bob"))[-1].says("you have been taken to agree with the draft")
    assert cast.mail_to(EXTERNAL.email)[-1].says("you have been taken to agree with the draft")

    summary = await notices(cast, "consultation.summary")
    # The writer opened it; the owner is also a consultee, and gets one email with both.
    assert emails(summary) == [address("owner"), address("ro"), address("writer")]
    own = {n.recipient_email: n.context["your_response"] for n in summary}
    assert own == {
        address("owner"): {
            "outcome": "received",
            "position": "no_view",
            "position_words": "have no view on the draft",
        },
        address("ro"): None,
        address("writer"): None,
    }
    context = summary[0].context
    assert context["counts"] == {
        "support": 0,
        "support_with_comments": 1,
        "object": 0,
        "no_view": 1,
        "deemed_agreement": 2,
    }
    assert (context["responded_count"], context["consultees_count"], context["late_count"]) == (
        2,
        4,
        0,
    )
    assert context["non_responders"] == ["Bob", "Pat Jones"]
    assert context["report_path"] == f"/v1/consultations/{cast.ids['consultation']}/report.html"
    assert {n.recipient_email: n.context["is_author"] for n in summary}[address("writer")] is True
    [mail] = [m for m in cast.mail_to(address("writer")) if "responded" in m.subject]
    for fact in (
        "2 of 4 consultees responded",
        "Support with comments: 1",
        "No view: 1",
        "Taken to agree (no response by the deadline): 2",
        "Did not respond (taken to agree): Bob, Pat Jones.",
        f"{BASE_URL}/consultations/{cast.ids['consultation']}/report?token=",
        "the person who opened the consultation",
    ):
        assert mail.says(fact), fact
    assert kinds_to(cast, address("owner")) == [
        "Consultation",
        "Consultation closed, 2 of 4 responded",
        "Response received",
    ]
    [owners] = [m for m in cast.mail_to(address("owner")) if "responded" in m.subject]
    assert owners.says("You were consulted too: your response was received in time")
    assert owners.says("You are the owner of CS-PR-012.")
    # Nothing more however often the sweep runs again.
    assert (await cast.sweep(closes_at + timedelta(hours=1))).closed == 0
    await cast.relay()
    assert await cast.deliver() == {}


async def test_a_response_after_the_close_is_acknowledged_as_late(cast: Cast) -> None:
    await open_consultation(cast, ("alice",), external=False)
    await cast.sweep(end_of_day(closing_day()))
    await respond(cast, "alice", "object", "The escalation route skips the police.")
    await cast.relay()
    await cast.deliver()
    [receipt] = await notices(cast, "consultation.response_received")
    assert (receipt.context["is_late"], receipt.context["is_amendment"]) == (True, False)
    mail = cast.mail_to(address("alice"))[-1]
    assert mail.subject.startswith("Late response received")
    assert mail.says("It arrived after the consultation closed")
    assert mail.says("you object to the draft")


async def test_closing_early_takes_no_silence_as_agreement(cast: Cast) -> None:
    await open_consultation(cast, ("alice", "bob"), external=False)
    async with cast.step() as session:
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None
        await lifecycle.close_consultation(session, cast.writer, consultation)
    await cast.relay()
    closed = await notices(cast, "consultation.closed")
    assert {n.context["outcome"] for n in closed} == {"none"}
    assert {n.context["closed_early"] for n in closed} == {True}
    [summary] = [
        n
        for n in await notices(cast, "consultation.summary")
        if n.recipient_email == address("writer")
    ]
    assert summary.context["counts"]["deemed_agreement"] == 0
    assert summary.context["non_responders"] == ["Alice", "Bob"]
    await cast.deliver()
    assert cast.mail_to(address("bob"))[-1].says("We did not receive a response from you.")


async def test_an_early_close_email_gives_the_moment_it_closed_not_the_deadline(
    cast: Cast,
) -> None:
    """Closed early by an API key that acts for no person (closed_by_id is null): the emails
    still say it closed early, when, in London time, not "at the end of" the closing day."""
    await open_consultation(cast, ("alice",), external=False)
    service_key = Principal(cast.org, None, frozenset({"policy_officer"}), "integration script")
    async with cast.step() as session:
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None
        await lifecycle.close_consultation(session, service_key, consultation)
    await cast.relay()
    await cast.deliver()
    async with cast.world.sessionmaker() as session:
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None and consultation.closed_at is not None
        closed_at = consultation.closed_at
    [closed] = await notices(cast, "consultation.closed")
    assert closed.context["closed_early"] is True
    assert closed.context["closed_at"] == closed_at.isoformat()
    moment = long_datetime(closed_at)
    deadline = f"at the end of {long_date(closing_day())}"
    alice = [
        m for m in cast.mail_to(address("alice")) if m.subject.startswith("Consultation closed")
    ]
    writer = [m for m in cast.mail_to(address("writer")) if "responded" in m.subject]
    for mail in (*alice, *writer):
        assert mail.says(f"closed early, on {moment}")
        assert not mail.says(deadline) and deadline not in mail.text
    assert len(alice) == len(writer) == 1


# --- cancellation ------------------------------------------------------------------------------


async def test_a_cancelled_consultation_tells_each_consultee_why_and_voids_unsent_invitations(
    cast: Cast,
) -> None:
    await open_consultation(cast, ("alice", "bob"))
    await cast.relay()  # the invitations are queued, not yet sent
    async with cast.step() as session:
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None
        await lifecycle.cancel_consultation(
            session, cast.writer, consultation, "The wrong draft was attached."
        )
    await cast.relay()
    outcomes = await cast.deliver()
    invited = {n.id for n in await notices(cast, "consultation.invited")}
    cancelled = await notices(cast, "consultation.cancelled")
    assert {outcomes[i] for i in invited} == {"cancelled"}
    assert {outcomes[n.id] for n in cancelled} == {"sent"}
    assert emails(cancelled) == [address("alice"), address("bob"), EXTERNAL.email]
    for who in (address("alice"), EXTERNAL.email):
        [mail] = cast.mail_to(who)
        assert mail.subject.startswith("Consultation cancelled")
        assert mail.says("The reason given: The wrong draft was attached.")
        assert mail.says("You no longer need to respond.")
    assert "token" not in cast.mail_to(EXTERNAL.email)[0].text


# --- receipts ----------------------------------------------------------------------------------


async def test_each_recorded_response_gets_a_receipt_saying_what_was_recorded(
    cast: Cast,
) -> None:
    await open_consultation(cast, ("alice",))
    await respond(cast, "alice", "support")
    await respond(cast, "alice", "support_with_comments", "Add the out-of-hours number.")
    async with cast.step() as session:
        consultation, external = await consultation_and_external(session, cast)
        await responses.record_for(
            session, cast.writer, consultation, external, ConsulteeResponse(position="no_view")
        )
    await cast.relay()
    await cast.deliver()
    receipts = await notices(cast, "consultation.response_received")
    assert sorted(
        (n.recipient_email, n.context["position"], n.context["is_amendment"]) for n in receipts
    ) == [
        (address("alice"), "support", False),
        (address("alice"), "support_with_comments", True),
        (EXTERNAL.email, "no_view", False),
    ]
    first, amended = [
        m for m in cast.mail_to(address("alice")) if "response received" in m.subject.lower()
    ]
    assert first.subject.startswith("Response received")
    assert first.says("you support the draft.")
    assert amended.subject.startswith("Amended response received")
    assert amended.says("It replaces your earlier response.")
    assert amended.says("Add the out-of-hours number.")
    [external_receipt] = [
        m for m in cast.mail_to(EXTERNAL.email) if "Response received" in m.subject
    ]
    assert external_receipt.says("Writer recorded it for you.")
    assert external_receipt.says("using the link in your invitation")
    assert external_receipt.says("you have no view on the draft")


async def test_nobody_is_sent_a_receipt_for_deemed_agreement(cast: Cast) -> None:
    await open_consultation(cast, ("alice",), external=False)
    closes_at = end_of_day(closing_day())
    assert (await cast.sweep(closes_at - timedelta(minutes=1))).closed == 0
    assert (await cast.sweep(closes_at)).closed == 1
    await cast.relay()
    assert await notices(cast, "consultation.response_received") == []
    [closed] = await notices(cast, "consultation.closed")
    assert closed.context["outcome"] == "deemed_agreement"


async def test_an_invitation_left_unsent_until_after_the_closing_time_is_void(
    cast: Cast,
) -> None:
    await open_consultation(cast, ("alice",), external=False)
    await cast.relay()
    async with cast.step() as session:
        # The deadline passed (the sweep has not closed it yet) before the email went out.
        consultation = await session.get(Consultation, cast.ids["consultation"])
        assert consultation is not None
        consultation.opens_at = utcnow() - timedelta(days=2)
        consultation.closes_at = utcnow() - timedelta(minutes=1)
    assert list((await cast.deliver()).values()) == ["cancelled"]
