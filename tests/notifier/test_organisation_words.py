"""Each organisation is written to in its own words (issue 13, item 9), and a person is told
once per event, with every role they hold (item 10).

The five demo organisations are loaded as ``make run`` loads them; emails go through the
relay, the send job and a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.documents.review_dates import ReviewRules
from services.domain.errors import Invalid
from services.domain.gates.service import missing_gates
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.people import Person
from services.domain.notifications.review_schedule import plan_review_notices
from services.domain.organisations import service as organisations
from services.domain.people import service as people
from services.domain.settings import Settings
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
# What an organisation is called when it has not said otherwise.
NEUTRAL = {
    "owner": "owner",
    "responsible_officer": "responsible officer",
    "author": "author",
    "policy_team": "policy team",
    "escalation_contact": "escalation contact",
}


@dataclass(frozen=True)
class Words:
    """An organisation's words as its demo data sets them, neutral where it sets none."""

    titles: dict[str, str]
    citations: dict[str, str]

    @classmethod
    def of(cls, slug: str) -> Words:
        spec = dict(SPECS[slug].get("words", {}))
        citations = spec.pop("citations", {})
        return cls({**NEUTRAL, **spec}, {k: v for k, v in citations.items() if v})

    def __getattr__(self, name: str) -> str:
        if name not in NEUTRAL:
            raise AttributeError(name)
        return self.titles[name]

    def distinctive(self) -> set[str]:
        """The titles and citations it set that are not the neutral ones."""
        return {v for k, v in self.titles.items() if v != NEUTRAL[k]} | set(self.citations.values())


RULES = ReviewRules(reminder_days=(30, 7), escalation_months=2)
Session = async_sessionmaker[AsyncSession]


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
            "frontend_base_url": "http://policygov.example",
        }
    )


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str

    @property
    def everything(self) -> str:
        return f"{self.subject}\n{self.text}\n{self.html}".replace("&#39;", "'")

    def says(self, fact: str) -> bool:
        return all(
            fact in f"{self.subject}\n{b}".replace("&#39;", "'") for b in (self.text, self.html)
        )


@dataclass
class Notifier:
    sessionmaker: Session
    settings: Settings
    sink: Sink
    transport: RecordingTransport = field(default_factory=RecordingTransport)

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def relay(self) -> None:
        while await relay_once(self.sessionmaker, self.transport):
            pass

    async def send(self, notification_ids: list[uuid.UUID]) -> None:
        ctx = {
            "settings": self.settings,
            "sessionmaker": self.sessionmaker,
            "transport": self.transport,
        }
        for notification_id in notification_ids:
            assert await send_notification(ctx, str(notification_id)) == "sent"

    def mail_to(self, address: str) -> list[Mail]:
        found = []
        for received in self.sink.handler.received:
            if address.lower() not in str(received["To"]).lower():
                continue
            message = message_from_bytes(received.as_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            plain = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
            subject = " ".join(str(message["Subject"]).split())
            found.append(Mail(address, subject, plain.get_content(), html.get_content()))
        return found


@pytest.fixture
def notifier(sessionmaker: Session, smtp: Settings, sink: Sink) -> Notifier:
    return Notifier(sessionmaker, smtp, sink)


async def notifications_for(
    notifier: Notifier, kind: str, document_id: uuid.UUID
) -> list[Notification]:
    async with notifier.sessionmaker() as session:
        rows = await session.execute(
            select(Notification).where(
                Notification.kind == kind, Notification.document_id == document_id
            )
        )
        return list(rows.scalars())


# --- every demo organisation, in its own words -----------------------------------------------


async def test_every_demo_organisation_is_written_to_in_its_own_words_and_no_other(
    notifier: Notifier,
) -> None:
    """Seeds 000-004: NCT's Responsible Strategic Manager, Cafcass' Policy Sponsor and
    appendices, Dorset's document owner and Head of Quality Assurance and Partnerships,
    Birmingham's Practice Hub, LBBD's Heads of Service and its EIA Screening Tool. Before, every
    organisation's emails said "owner (Responsible Strategic Manager)" and every gate message
    cited "Cafcass appendix 2"."""
    for slug in sorted(SPECS):
        async with notifier.step() as session:
            await seed_organisation(session, SPECS[slug])
    async with notifier.step() as session:
        # The demo's own events are not what this test reads.
        await session.execute(update(OutboxEvent).values(published_at=utcnow()))
    words = {slug: Words.of(slug) for slug in SPECS}
    mail: dict[str, list[Mail]] = {}
    gates: dict[str, str] = {}
    refusals: dict[str, str] = {}
    today = london_today()
    for slug in sorted(SPECS):
        async with notifier.step() as session:
            org = await organisations.get_by_slug(session, slug)
            # The escalation contact's email is read here: the default ladder, not the demo's
            # own (test_escalation_ladder_sweep.py and the Dorset scenario read those).
            org.escalation_ladder = None
            admin = Principal(org.id, None, frozenset({"admin"}), "test")
            sam = await people.create_person(
                session,
                None,
                organisation_id=org.id,
                name="Sam Rivers",
                email=f"sam.rivers@{slug}.example.org",
                roles=["reader"],
            )
            document = await documents.create_document(
                session,
                admin,
                NewDocument.of(
                    {
                        "reference": "WORDS-1",
                        "title": "Words in use",
                        "kind": "procedure",
                        "owner_id": sam.id,
                        "responsible_officer_id": sam.id,
                        "author_id": sam.id,
                    }
                ),
            )
            draft = await versions.add_version(
                session,
                admin,
                document,
                filename="words.txt",
                content=b"Draft.",
                declared_media_type="text/plain",
                change_summary="First draft",
                issue=False,
                max_bytes=1024 * 1024,
            )
            await documents.update_document(
                session,
                admin,
                document,
                DocumentChange.of({"next_review_due": today - timedelta(days=100)}),
                expected_version=document.row_version,
            )
            missing = await missing_gates(
                session, document, draft, ["proposal_approved", "eia_screened", "fit_for_purpose"]
            )
            gates[slug] = " ".join(m.detail for m in missing)
            with pytest.raises(Invalid) as refused:
                await documents.create_document(
                    session,
                    admin,
                    NewDocument.of(
                        {"reference": "WORDS-2", "title": "No owner", "kind": "procedure"}
                    ),
                )
            refusals[slug] = refused.value.detail
            contact = await session.get(Person, org.escalation_contact_id)
            assert contact is not None
            escalation_address = contact.email
        await notifier.relay()
        async with notifier.step() as session:
            await plan_review_notices(session, today, RULES)
        assigned = await notifications_for(notifier, "document.assigned", document.id)
        escalated = await notifications_for(notifier, "review.escalated", document.id)
        assert len(assigned) == 1 and len(escalated) == 1, slug
        await notifier.send([assigned[0].id, escalated[0].id])
        mail[slug] = [
            *notifier.mail_to(f"sam.rivers@{slug}.example.org"),
            *[m for m in notifier.mail_to(escalation_address) if "WORDS-1" in m.subject],
        ]
        assert len(mail[slug]) == 2, slug

    # The demo organisations use their seeds' titles.
    assert words["nct"].owner == "Responsible Strategic Manager"
    assert words["nct"].responsible_officer == "Responsible Officer"
    assert words["cafcass"].owner == "Policy Sponsor"
    assert words["dorset"].owner == "document owner"
    assert words["dorset"].escalation_contact == "Head of Quality Assurance and Partnerships"
    assert words["bct"].policy_team == "Practice Hub"
    assert words["lbbd"].citations["equality_screening"] == (
        "LBBD EIA Screening Tool, May 2019 update"
    )

    for slug, own in words.items():
        [named, escalation] = mail[slug]
        titles = f"{own.owner}, {own.responsible_officer} and {own.author}"
        # One email for the three roles, naming all of them.
        assert named.subject == f"You are now the {titles} of WORDS-1 Words in use", slug
        assert named.says(f"You are the {titles} of WORDS-1.")
        assert named.says(f"Contact the {own.policy_team}:")
        for fact in (
            f"{own.owner[:1].upper()}{own.owner[1:]}: Sam Rivers",
            f"{own.responsible_officer[:1].upper()}{own.responsible_officer[1:]}: Sam Rivers",
            f"{own.escalation_contact} for late reviews",
        ):
            assert escalation.says(fact), (slug, fact)
        if own.citations.get("review_escalation"):
            assert escalation.says(f"({own.citations.get('review_escalation')})")
        assert f"must name its {own.owner}." in refusals[slug]
        if own.citations.get("equality_screening"):
            assert (
                f"complete a screening ({own.citations.get('equality_screening')})." in gates[slug]
            )
        else:
            assert "complete a screening." in gates[slug]
        if own.citations.get("fit_for_purpose"):
            assert f"checklist ({own.citations.get('fit_for_purpose')}) has not" in gates[slug]
        else:
            assert "checklist has not" in gates[slug]
        # Nothing in another organisation's words, nor NCT's title forced on everyone.
        mine = own.distinctive()
        for other, theirs in words.items():
            for foreign in theirs.distinctive():
                if other == slug or any(foreign in m for m in mine):
                    continue
                for text in (named.everything, escalation.everything, gates[slug], refusals[slug]):
                    assert foreign not in text, (slug, other, foreign)
        assert "(Responsible Strategic Manager)" not in named.everything + escalation.everything
    assert "Cafcass" not in gates["lbbd"]


# --- one email per person per event ----------------------------------------------------------


async def test_one_person_named_owner_ro_and_author_gets_one_email_naming_all_three(
    world: World, notifier: Notifier
) -> None:
    po = Principal(world.a.id, world.a.policy_officer.person_id, frozenset({"policy_officer"}), "")
    async with notifier.step() as session:
        sam = await people.create_person(
            session,
            None,
            organisation_id=world.a.id,
            name="Sam Rivers",
            email="sam@alpha.example.org",
            roles=["author"],
        )
        document = await documents.create_document(
            session,
            po,
            NewDocument.of(
                {
                    "reference": "CS-PR-012",
                    "title": "Children missing from care",
                    "kind": "procedure",
                    "owner_id": sam.id,
                    "responsible_officer_id": sam.id,
                    "author_id": sam.id,
                }
            ),
        )
    await notifier.relay()
    await notifier.send([j[1] for j in notifier.transport.jobs])
    [mail] = notifier.mail_to("sam@alpha.example.org")
    assert mail.subject == (
        "You are now the owner, responsible officer and author of CS-PR-012 Children missing "
        "from care"
    )
    assert mail.says("You have been named as the owner, responsible officer and author of")
    [notice] = await notifications_for(notifier, "document.assigned", document.id)
    assert notice.context["roles"] == ["owner", "responsible officer", "author"]
    assert notice.context["your_roles"] == ["owner", "responsible officer", "author"]


async def test_a_change_naming_one_person_in_two_roles_is_one_email_naming_every_role_held(
    world: World, notifier: Notifier
) -> None:
    po = Principal(world.a.id, world.a.policy_officer.person_id, frozenset({"policy_officer"}), "")
    async with notifier.step() as session:
        ids = {}
        for name in ("sam", "kim"):
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name.title(),
                email=f"{name}@alpha.example.org",
                roles=["author"],
            )
            ids[name] = person.id
        document = await documents.create_document(
            session,
            po,
            NewDocument.of(
                {
                    "reference": "CS-PR-012",
                    "title": "Children missing from care",
                    "kind": "procedure",
                    "owner_id": ids["kim"],
                    "author_id": ids["sam"],
                }
            ),
        )
    await notifier.relay()
    await notifier.send([j[1] for j in notifier.transport.jobs])
    notifier.sink.handler.received.clear()
    sent = len(notifier.transport.jobs)
    async with notifier.step() as session:
        document = await documents.get_document(session, po, document.id, for_update=True)
        await documents.update_document(
            session,
            po,
            document,
            DocumentChange.of({"owner_id": ids["sam"], "responsible_officer_id": ids["sam"]}),
            expected_version=document.row_version,
        )
    await notifier.relay()
    await notifier.send([j[1] for j in notifier.transport.jobs[sent:]])
    [mail] = notifier.mail_to("sam@alpha.example.org")
    assert mail.subject.startswith("You are now the owner and responsible officer of CS-PR-012")
    # Already its author: the email names every role they now hold.
    assert mail.says("You are the owner, responsible officer and author of CS-PR-012.")
    assert notifier.mail_to("kim@alpha.example.org") == []
