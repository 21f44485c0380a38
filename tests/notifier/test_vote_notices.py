"""The decision email on a stage decided by a vote (issue 20, item 7): it gives the count as it
stood after that vote, and says the draft will not be issued only once the vote has refused
it, not when one member votes against."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.email import render
from services.notifier.relay import relay_once
from tests.api.sign_off_support import decide
from tests.api.voting_support import panel_stage, submitted, voters
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


async def _decided(world: World) -> dict[str, list[Notification]]:
    """The decision emails to the policy officer, by the decision's outcome, oldest first."""
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(
                Notification.kind == "sign_off.decided",
                Notification.recipient_person_id == world.a.policy_officer.person_id,
            )
            .order_by(Notification.created_at)
        )
        found: dict[str, list[Notification]] = {}
        for n in rows.scalars():
            found.setdefault(n.context["vote_words"] or "", []).append(n)
        return found


async def test_a_vote_against_says_the_count_and_only_a_refused_vote_stops_the_issue(
    client: AsyncClient, world: World, transport: RecordingTransport, settings: Settings
) -> None:
    panel = await voters(client, world, 4)
    rule = panel_stage(panel, "simple_majority", quorum=3, allow_abstention=True)
    sign_off = await submitted(client, world, [rule])
    first = await decide(client, sign_off, panel[0].headers, "rejected", reasons="Too long.")
    assert first.status_code == 201, first.text
    # Two against of four: at best a tie, so the vote is refused without the other two.
    second = await decide(client, sign_off, panel[1].headers, "rejected", reasons="Unclear.")
    assert second.json()["status"] == "rejected"
    while await relay_once(world.sessionmaker, transport):
        pass
    emails = await _decided(world)
    early = "Votes so far: 0 for, 1 against, 0 abstained, of 4; quorum 3, not yet met."
    refused = (
        "Votes so far: 0 for, 2 against, 0 abstained, of 4; quorum 3, not yet met; "
        "the stage is refused."
    )
    assert sorted(emails) == sorted([early, refused])
    [one_against] = emails[early]
    assert one_against.context["stage_refused"] is False
    text = render(one_against, settings).get_body(("plain",))
    assert text is not None and early in text.get_content()
    assert "will not be issued" not in text.get_content()
    [settled] = emails[refused]
    assert settled.context["stage_refused"] is True
    settled_text = render(settled, settings).get_body(("plain",))
    assert settled_text is not None and "will not be issued" in settled_text.get_content()
