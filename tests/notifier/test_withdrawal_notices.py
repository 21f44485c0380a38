"""Withdrawal emails (Dorset 4.5.2): when ratification of an interim issue is refused, everyone
involved is told, once each, that the version is withdrawn, why, and what is in force now.

The sign-off runs through the domain functions, as the API would: a draft approved on interim
approval is issued, then the ratifying stage refuses it. The relay fans the outbox events out
and every email goes through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.governance import service as routes
from services.domain.governance.commands import NewRoute
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.sign_off import SignOff
from services.domain.notifications.service import fan_out
from services.domain.people import service as people
from services.domain.publications import service as publications
from services.domain.settings import Settings
from services.domain.sign_off import decisions
from services.domain.sign_off import service as sign_offs
from services.domain.sign_off.commands import NewDecision, NewSignOff
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink

BASE_URL = "http://policygov.example"
REASONS = "The Group wants the Fostering Network consulted first."
KIND = "document.issue_withdrawn"


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


def html_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def address(name: str) -> str:
    return f"{name}@alpha.example.org"


@dataclass
class Cast:
    world: World
    settings: Settings
    sink: Sink
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    transport: RecordingTransport = field(default_factory=RecordingTransport)

    @property
    def po(self) -> Principal:
        org = self.world.a.id
        return Principal(
            org, self.world.a.policy_officer.person_id, frozenset({"policy_officer"}), "PO"
        )

    def principal(self, name: str) -> Principal:
        return Principal(self.world.a.id, self.ids[name], frozenset({"approver"}), name)

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        async with self.world.sessionmaker() as session, session.begin():
            yield session

    async def deliver(self) -> None:
        """Fan out every committed event, then send every email it made."""
        while await relay_once(self.world.sessionmaker, self.transport):
            pass
        ctx = {
            "settings": self.settings,
            "sessionmaker": self.world.sessionmaker,
            "transport": self.transport,
        }
        for _, target, _, _ in self.transport.jobs:
            await send_notification(ctx, str(target))
        self.transport.jobs.clear()

    def mail_to(self, name: str) -> list[tuple[str, str, str]]:
        """The withdrawal emails ``name`` received (other sign-off emails left aside)."""
        found = []
        for received in self.sink.handler.received:
            if address(name) not in str(received["To"]).lower():
                continue
            message = message_from_bytes(received.as_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            plain = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
            subject = " ".join(str(message["Subject"]).split())
            if not subject.startswith("Withdrawn:"):
                continue
            # The HTML part's words, without its tags and entities.
            words = html_text(html.get_content())
            found.append((subject, plain.get_content(), words))
            assert "None" not in subject + plain.get_content() + html.get_content()
        return found

    async def told(self) -> list[str]:
        async with self.world.sessionmaker() as session:
            rows = await session.execute(
                select(Notification.recipient_email).where(Notification.kind == KIND)
            )
            return sorted(email.split("@")[0] for email in rows.scalars())


@pytest.fixture
async def cast(world: World, smtp: Settings, sink: Sink) -> Cast:
    """A procedure (owner, RO, writer) with draft 0.1, and an interim route: the Head of
    Service approves and issues it; the ratifier decides full approval after the issue."""
    cast = Cast(world, smtp, sink)
    async with cast.step() as session:
        names = ("ro", "owner", "writer", "head", "ratifier", "bystander", "leaver")
        for name in names:
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name.title(),
                email=address(name),
                roles=["approver"],
                is_active=name != "leaver",
            )
            cast.ids[name] = person.id
        document = await documents.create_document(
            session,
            cast.po,
            NewDocument.of(
                {
                    "reference": "CS-PR-031",
                    "title": "Supervision of foster carers",
                    "kind": "procedure",
                    "owner_id": cast.ids["owner"],
                    "responsible_officer_id": cast.ids["ro"],
                    "author_id": cast.ids["writer"],
                }
            ),
        )
        cast.ids["document"] = document.id
        await routes.create_route(
            session,
            cast.po,
            organisation_id=world.a.id,
            command=NewRoute.of(
                {
                    "key": "interim",
                    "name": "Interim approval",
                    "definition": {
                        "stages": [
                            {
                                "key": "head",
                                "name": "Interim approval by a Head of Service",
                                "decider": {"kind": "people", "people": [str(cast.ids["head"])]},
                            },
                            {
                                "key": "ratify",
                                "name": "Full approval at the next PPP meeting",
                                "purpose": "ratification",
                                "after_issue": True,
                                "decider": {
                                    "kind": "people",
                                    "people": [str(cast.ids["ratifier"])],
                                },
                            },
                        ]
                    },
                }
            ),
        )
    sink.handler.received.clear()
    return cast


async def add_draft(cast: Cast, text: str, *, issue: bool = False) -> uuid.UUID:
    async with cast.step() as session:
        document = await documents.get_document(session, cast.po, cast.ids["document"])
        version = await versions.add_version(
            session,
            cast.po,
            document,
            filename="supervision.txt",
            content=text.encode(),
            declared_media_type="text/plain",
            change_summary="",
            issue=issue,
            max_bytes=1024 * 1024,
        )
        return version.id


async def interim_issue(cast: Cast, draft_id: uuid.UUID) -> uuid.UUID:
    """Submitted by the policy officer, approved by the Head of Service: issued at once."""
    async with cast.step() as session:
        sign_off = await sign_offs.submit(
            session,
            cast.po,
            NewSignOff.of({"document_id": cast.ids["document"], "version_id": draft_id}),
        )
        sign_off_id = sign_off.id
    await decide(cast, sign_off_id, "head", "approved")
    return sign_off_id


async def decide(cast: Cast, sign_off_id: uuid.UUID, who: str, outcome: str) -> SignOff:
    async with cast.step() as session:
        sign_off = await sign_offs.get_sign_off(session, cast.po, sign_off_id, for_update=True)
        await decisions.record_decision(
            session,
            cast.principal(who),
            sign_off,
            NewDecision.of(
                {
                    "version_id": sign_off.version_id,
                    "outcome": outcome,
                    "reasons": REASONS if outcome == "rejected" else "",
                }
            ),
        )
        return sign_off


async def uploaded(cast: Cast, page: str) -> None:
    """The Tri.x script reports every pending upload done."""
    script = Principal(cast.world.a.id, None, frozenset({"integration"}), "Tri.x script")
    async with cast.step() as session:
        for queued in await publications.list_publications(session, script, status="pending"):
            await publications.mark_uploaded(session, script, queued, page)


async def test_everyone_involved_is_told_once_that_an_interim_first_issue_is_withdrawn(
    cast: Cast,
) -> None:
    sign_off_id = await interim_issue(cast, await add_draft(cast, "Supervise monthly."))
    await cast.deliver()
    await decide(cast, sign_off_id, "ratifier", "rejected")
    await cast.deliver()

    # The document's people, the deciders (the Head of Service and the ratifier who refused),
    # the submitter and every policy officer; not the bystander, not the leaver.
    assert await cast.told() == ["head", "owner", "policy_officer", "ratifier", "ro", "writer"]
    for name in ("head", "owner", "policy_officer", "ratifier", "ro", "writer"):
        [(subject, text, html)] = cast.mail_to(name)
        assert "CS-PR-031" in subject and "version 1.0; no version in force" in subject
        greeting = "Policy Officer of alpha" if name == "policy_officer" else name.title()
        for body in (text, html):
            assert f"Dear {greeting}," in body
            assert "Version 1.0 of CS-PR-031 Supervision of foster carers has been withdrawn" in (
                " ".join(body.split())
            )
            assert REASONS in body
            assert "No version of this document is in force now" in body
            assert "draft" in body
            # Never uploaded: nothing to take down.
            assert "had not been uploaded to Tri.x" in body
        assert f"{BASE_URL}/documents/{cast.ids['document']}" in text
    assert cast.mail_to("bystander") == [] and cast.mail_to("leaver") == []


async def test_the_email_says_the_previous_issue_is_in_force_again_and_queued_for_trix(
    cast: Cast,
) -> None:
    await add_draft(cast, "Supervise every six weeks.", issue=True)  # 1.0, in force
    draft = await add_draft(cast, "Supervise monthly.")  # 1.1
    sign_off_id = await interim_issue(cast, draft)  # 2.0
    await cast.deliver()
    await decide(cast, sign_off_id, "ratifier", "rejected")
    await cast.deliver()

    [(subject, text, html)] = cast.mail_to("ro")
    assert "version 2.0" in subject and "1.0 in force again" in subject
    for body in (text, html):
        words = " ".join(body.split())
        assert "Version 2.0 of CS-PR-031 Supervision of foster carers has been withdrawn" in words
        assert "Version 1.0, issued before it, is in force again" in words
        assert "queued for upload to Tri.x again" in words


async def test_the_email_says_the_withdrawn_page_is_queued_for_removal_from_trix(
    cast: Cast,
) -> None:
    sign_off_id = await interim_issue(cast, await add_draft(cast, "Supervise monthly."))
    await uploaded(cast, "https://trix.example.org/supervision.html")
    await cast.deliver()
    await decide(cast, sign_off_id, "ratifier", "rejected")
    await cast.deliver()

    [(_, text, html)] = cast.mail_to("policy_officer")
    for body in (text, html):
        words = " ".join(body.split())
        assert "No version of this document is in force now" in words
        assert "Its page on Tri.x is queued for removal" in words
        assert "had not been uploaded" not in words


async def test_relaying_the_withdrawal_again_sends_nothing_more(cast: Cast) -> None:
    sign_off_id = await interim_issue(cast, await add_draft(cast, "Supervise monthly."))
    await decide(cast, sign_off_id, "ratifier", "rejected")
    await cast.deliver()
    sent = len(cast.sink.handler.received)
    assert len(await cast.told()) == 6
    async with cast.step() as session:
        for event in (await session.execute(select(OutboxEvent))).scalars().all():
            assert (await fan_out(session, event)).notifications == []
    await cast.deliver()
    assert len(cast.sink.handler.received) == sent
    assert cast.sink.handler.message_ids().most_common(1)[0][1] == 1
