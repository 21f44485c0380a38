"""Update cycle emails (NCT 3.4 a): each RO told their recommended amendments and the deadline
when a cycle opens, reminded once per threshold while items are pending (and not once they are
done), and the policy officers sent the closing report with the items carried over when the
sweep closes the cycle at its deadline, once.

Cycles are opened and items decided with the domain functions, as the API would; the relay fans
the outbox events out, the sweep plans reminders and closes at the deadline, and every email
goes through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.documents import service as documents
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.models.notifications import Notification
from services.domain.models.reviews import UpdateCycle, UpdateCycleItem, UpdateCycleItemStatus
from services.domain.organisations import service as organisations
from services.domain.organisations.commands import OrganisationChange
from services.domain.people import service as people
from services.domain.reviews import update_cycle_closing, update_cycle_items, update_cycles
from services.domain.reviews.commands import ItemChange
from services.domain.reviews.update_plan import PlanItem
from services.domain.settings import Settings
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from services.notifier.sweeps import UpdateCycleSweep, sweep_all, sweep_update_cycles
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink

BASE_URL = "http://policygov.example"


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


def address(name: str) -> str:
    return f"{name}@alpha.example.org"


@dataclass
class Cast:
    world: World
    settings: Settings
    sink: Sink
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    transport: RecordingTransport = field(default_factory=RecordingTransport)
    delivered: int = 0

    @property
    def po(self) -> Principal:
        org = self.world.a.id
        return Principal(
            org, self.world.a.policy_officer.person_id, frozenset({"policy_officer"}), "PO"
        )

    def principal(self, name: str) -> Principal:
        return Principal(self.world.a.id, self.ids[name], frozenset({"author"}), name)

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        async with self.world.sessionmaker() as session, session.begin():
            yield session

    async def relay(self) -> None:
        while await relay_once(self.world.sessionmaker, self.transport):
            pass

    async def deliver(self) -> dict[uuid.UUID, str]:
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

    async def sweep(self, today: date) -> UpdateCycleSweep:
        return await sweep_update_cycles(self.world.sessionmaker, self.transport, today)

    def mail_to(self, name: str) -> list[tuple[str, str, str]]:
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
            found.append((subject, plain.get_content(), html.get_content()))
            assert "None" not in subject + plain.get_content() + html.get_content()
        return found


DEADLINE_DAYS = 20  # so that the fourteen- and three-day reminders both come after the opening


def deadline() -> date:
    return london_today() + timedelta(days=DEADLINE_DAYS)


@pytest.fixture
async def cast(world: World, smtp: Settings, sink: Sink) -> Cast:
    cast = Cast(world, smtp, sink)
    async with cast.step() as session:
        for name in ("ro", "other", "owner", "leaver"):
            person = await people.create_person(
                session,
                None,
                organisation_id=world.a.id,
                name=name.title(),
                email=address(name),
                roles=["author"],
            )
            cast.ids[name] = person.id
        for reference, title, ro in (
            ("CS-PR-012", "Children missing from care", "ro"),
            ("CS-PR-013", "Lone working", "ro"),
            ("CS-PR-020", "Private fostering", "other"),
        ):
            document = await documents.create_document(
                session,
                cast.po,
                NewDocument.of(
                    {
                        "reference": reference,
                        "title": title,
                        "kind": "procedure",
                        "service_area": "Children in care",
                        "owner_id": cast.ids["owner"],
                        "responsible_officer_id": cast.ids[ro],
                    }
                ),
            )
            cast.ids[reference] = document.id
    # The emails about the documents' people being named go out first, out of the way.
    await cast.relay()
    await cast.deliver()
    sink.handler.received.clear()
    return cast


async def open_cycle(cast: Cast) -> uuid.UUID:
    async with cast.step() as session:
        cycle = await update_cycles.open_cycle(
            session,
            cast.po,
            name="Tri.x update June",
            items=[
                PlanItem("cs-pr-012", "Reflect the revised missing children guidance."),
                PlanItem("Lone working", "Add the out-of-hours contacts."),
                PlanItem("CS-PR-020", "Update the notification duty."),
                PlanItem("Unknown chapter", "Nobody's."),
            ],
            submission_deadline=deadline(),
        )
        cast.ids["cycle"] = cycle.id
        return cycle.id


async def decide(cast: Cast, name: str, reference: str, status: str = "accepted") -> None:
    async with cast.step() as session:
        item_id = (
            await session.execute(
                select(UpdateCycleItem.id).where(
                    UpdateCycleItem.cycle_id == cast.ids["cycle"],
                    UpdateCycleItem.document_id == cast.ids[reference],
                )
            )
        ).scalar_one()
        principal = cast.principal(name)
        item = await update_cycles.get_item(session, principal, item_id, for_update=True)
        await update_cycle_items.update_item(
            session, principal, item, ItemChange(status=UpdateCycleItemStatus(status))
        )


async def notices(cast: Cast, kind: str) -> list[Notification]:
    async with cast.world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())


async def test_opening_tells_each_ro_their_amendments_and_the_deadline_once(cast: Cast) -> None:
    await open_cycle(cast)
    await cast.relay()
    assert set((await cast.deliver()).values()) == {"sent"}
    await cast.relay()  # nothing is relayed twice
    assert await cast.deliver() == {}

    ro = cast.mail_to("ro")
    assert len(ro) == 1
    subject, text, html = ro[0]
    assert subject == (
        "Tri.x update June: 2 recommended amendments to review by "
        f"{deadline():%A} {deadline().day} {deadline():%B %Y}"
    )
    for body in (text, html):
        assert "CS-PR-012 Children missing from care" in body.replace("<strong>", "")
        assert "Add the out-of-hours contacts." in body
        assert "Update the notification duty." not in body  # the other RO's
        assert f"{BASE_URL}/update-cycles/{cast.ids['cycle']}" in body
    other = cast.mail_to("other")
    assert len(other) == 1 and "1 recommended amendment to review" in other[0][0]
    # The unmatched item goes to nobody; the owner (RSM) is told of the three (NCT 6.1).
    assert len(await notices(cast, "update_cycle.opened")) == 3


async def test_the_rsm_is_told_of_the_update_plan_items_on_their_procedures(cast: Cast) -> None:
    """NCT 6.1: the Policy and Procedures Officer instructs ROs to review the recommended
    amendments; Responsible Strategic Managers will be notified."""
    await open_cycle(cast)
    await cast.relay()
    assert set((await cast.deliver()).values()) == {"sent"}

    [opened] = [
        n for n in await notices(cast, "update_cycle.opened") if "owner@" in n.recipient_email
    ]
    assert opened.context["items"] == []
    assert [(i["reference"], i["assignee_name"]) for i in opened.context["overseen"]] == [
        ("CS-PR-012", "Ro"),
        ("CS-PR-013", "Ro"),
        ("CS-PR-020", "Other"),
    ]
    [(subject, text, html)] = cast.mail_to("owner")
    assert subject == (
        "Tri.x update June: 3 recommended amendments to documents for which you are the owner, "
        f"due {deadline():%A} {deadline().day} {deadline():%B %Y}"
    )
    for body in (text, html.replace("<strong>", "").replace("</strong>", "")):
        assert "As the owner, you are told of" in body
        assert "CS-PR-020 Private fostering (with Other)" in body
        assert "Update the notification duty." in body
        assert "will come to you for sign-off" in body
    # The ROs' own emails are unchanged: their items only, nothing about others.
    [(_, ro_text, _)] = cast.mail_to("ro")
    assert "Update the notification duty." not in ro_text
    assert "you are told of" not in ro_text


async def test_an_rsm_who_is_also_an_ro_gets_one_email_with_both_lists_in_nct_words(
    cast: Cast,
) -> None:
    async with cast.step() as session:
        await organisations.update_organisation(
            session,
            Principal(cast.world.a.id, cast.world.a.admin.person_id, frozenset({"admin"}), "a"),
            OrganisationChange(words={"owner": "Responsible Strategic Manager"}),
            expected_version=(await organisations.get(session, cast.world.a.id)).row_version,
        )
        document = await documents.get_document(
            session, cast.po, cast.ids["CS-PR-020"], for_update=True
        )
        await documents.update_document(
            session,
            cast.po,
            document,
            DocumentChange.of({"responsible_officer_id": cast.ids["owner"]}),
            expected_version=document.row_version,
        )
    await cast.relay()
    await cast.deliver()
    cast.sink.handler.received.clear()
    await open_cycle(cast)
    await cast.relay()
    await cast.deliver()
    [(subject, text, _)] = cast.mail_to("owner")
    assert subject.startswith("Tri.x update June: 1 recommended amendment to review by")
    assert "Update the notification duty." in text  # their own item
    assert "As the Responsible Strategic Manager, you are also told of" in text
    assert "CS-PR-012 Children missing from care (with Ro)" in text


async def test_reminders_go_once_per_threshold_and_not_once_the_items_are_done(
    cast: Cast,
) -> None:
    await open_cycle(cast)
    await cast.relay()
    await cast.deliver()
    cast.sink.handler.received.clear()
    due = deadline()

    assert (await cast.sweep(due - timedelta(days=15))).reminders == 0
    assert (await cast.sweep(due - timedelta(days=14))).reminders == 2
    assert (await cast.sweep(due - timedelta(days=14))).reminders == 0  # again: nothing new
    assert (await cast.sweep(due - timedelta(days=13))).reminders == 0  # same threshold
    await cast.deliver()
    subject, text, _ = cast.mail_to("ro")[0]
    assert "2 recommended amendments still to review, due in 14 days" in subject
    assert "Lone working" in text

    # The other RO finishes; the RO does one of two.
    await decide(cast, "other", "CS-PR-020")
    await decide(cast, "ro", "CS-PR-012", "amended")
    cast.sink.handler.received.clear()
    assert (await cast.sweep(due - timedelta(days=3))).reminders == 1
    await cast.deliver()
    assert cast.mail_to("other") == []
    ((subject, text, html),) = cast.mail_to("ro")
    assert "1 recommended amendment still to review, due in 3 days" in subject
    assert "Add the out-of-hours contacts." in text
    assert "Reflect the revised" not in text + html  # done: not listed
    reminders = await notices(cast, "update_cycle.reminder")
    assert sorted((n.recipient_email, n.context["reminder_days"]) for n in reminders) == [
        (address("other"), 14),
        (address("ro"), 3),
        (address("ro"), 14),
    ]


async def test_a_reminder_planned_before_the_item_was_done_is_not_sent(cast: Cast) -> None:
    await open_cycle(cast)
    await cast.relay()
    await cast.deliver()
    cast.sink.handler.received.clear()
    assert (await cast.sweep(deadline() - timedelta(days=14))).reminders == 2
    await decide(cast, "other", "CS-PR-020")  # between planning and sending
    outcomes = await cast.deliver()
    assert sorted(outcomes.values()) == ["cancelled", "sent"]
    assert cast.mail_to("other") == []
    assert len(cast.mail_to("ro")) == 1


async def test_the_sweep_closes_at_the_deadline_once_and_reports_the_carried_items(
    cast: Cast,
) -> None:
    await open_cycle(cast)
    await decide(cast, "other", "CS-PR-020", "rejected")
    await cast.relay()
    await cast.deliver()
    cast.sink.handler.received.clear()
    due = deadline()

    on_the_day = await sweep_all(cast.world.sessionmaker, cast.settings, cast.transport, due)
    assert on_the_day.update_cycles_closed == 0
    after = await sweep_all(
        cast.world.sessionmaker, cast.settings, cast.transport, due + timedelta(days=1)
    )
    assert (after.update_cycles_closed, after.update_cycle_reminders) == (1, 0)
    again = await cast.sweep(due + timedelta(days=1))
    assert again == UpdateCycleSweep(0, 0)
    await cast.relay()
    # The reminder made on the day no longer applies once the cycle has closed.
    assert set((await cast.deliver()).values()) == {"sent", "cancelled"}

    async with cast.step() as session:
        cycles = {c.name: c for c in (await session.execute(select(UpdateCycle))).scalars()}
    assert cycles["Tri.x update June"].status == "closed"
    following = cycles["Tri.x update June (carried over)"]
    assert following.submission_deadline == due + timedelta(days=1, weeks=6)

    # The policy officer gets the report, once, listing what was carried over and to where.
    report = cast.mail_to("policy_officer")
    assert len(report) == 1
    subject, text, html = report[0]
    assert subject == "Update cycle closed: Tri.x update June, 3 carried over"
    for body in (text, html):
        plain = body.replace("<strong>", "").replace("</strong>", "")
        assert "CS-PR-012 Children missing from care (Ro)" in plain
        assert "Unknown chapter (nobody assigned)" in plain
        assert "Private fostering" not in plain  # rejected in time: not carried
        assert "Tri.x update June (carried over)" in plain
        assert "Chapters that matched no document: Unknown chapter." in plain
        assert f"Its submission deadline was {due:%A} {due.day} {due:%B %Y}." in plain
    # The RO is told of the carried-over cycle: their items and the new deadline.
    ((subject, text, _),) = cast.mail_to("ro")
    assert subject.startswith("Tri.x update June (carried over): 2 recommended amendments")
    assert "carried over" in text
    assert cast.mail_to("other") == []


async def test_a_closed_cycle_gets_no_reminders(cast: Cast) -> None:
    await open_cycle(cast)
    async with cast.step() as session:
        cycle = await update_cycles.get_cycle(session, cast.po, cast.ids["cycle"], for_update=True)
        await update_cycle_closing.close_cycle(session, cast.po, cycle)
    await cast.relay()
    await cast.deliver()
    # The carried-over cycle is due six weeks on: fourteen days before the old deadline, only
    # it is open, and no threshold of its own is reached.
    assert (await cast.sweep(deadline() - timedelta(days=14))).reminders == 0


async def test_an_item_assigned_after_the_opening_tells_the_assignee_and_the_rsm(
    cast: Cast,
) -> None:
    """NCT 6.1 again: an Update Plan chapter the policy team matches to a procedure later is
    given to its RO, and the RSM is told; before, nobody was."""
    await open_cycle(cast)
    await cast.relay()
    await cast.deliver()
    cast.sink.handler.received.clear()
    async with cast.step() as session:
        item_id = (
            await session.execute(
                select(UpdateCycleItem.id).where(
                    UpdateCycleItem.cycle_id == cast.ids["cycle"],
                    UpdateCycleItem.chapter == "Unknown chapter",
                )
            )
        ).scalar_one()
        item = await update_cycles.get_item(session, cast.po, item_id, for_update=True)
        await update_cycle_items.update_item(
            session, cast.po, item, ItemChange(document_id=cast.ids["CS-PR-020"])
        )
    await cast.relay()
    assert set((await cast.deliver()).values()) == {"sent"}

    found = await notices(cast, "update_cycle.item_assigned")
    assert [(n.recipient_email, n.context["is_assignee"]) for n in found] == [
        (address("other"), True),
        (address("owner"), False),
    ]
    [(subject, text, html)] = cast.mail_to("other")
    assert subject.startswith("Tri.x update June: a recommended amendment for you to review by")
    assert "CS-PR-020 Private fostering" in text and "Nobody's." in text
    [(subject, text, html)] = cast.mail_to("owner")
    assert subject.startswith("Tri.x update June: a recommended amendment to CS-PR-020")
    for body in (text, html.replace("<strong>", "").replace("</strong>", "")):
        assert "As the owner of CS-PR-020 Private fostering, you are told" in body
        assert "Other will review it" in body
    # Moved again before it was sent: the first assignment email is void.
    async with cast.step() as session:
        item = await update_cycles.get_item(session, cast.po, item_id, for_update=True)
        await update_cycle_items.update_item(
            session, cast.po, item, ItemChange(assigned_to_id=cast.ids["ro"])
        )
        item = await update_cycles.get_item(session, cast.po, item_id, for_update=True)
        await update_cycle_items.update_item(
            session, cast.po, item, ItemChange(assigned_to_id=cast.ids["other"])
        )
    await cast.relay()
    outcomes = await cast.deliver()
    assert sorted(outcomes.values()) == ["cancelled", "cancelled", "sent", "sent"]
