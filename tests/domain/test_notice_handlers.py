"""The notices registry (services/domain/notifications/handlers.py): each package's handlers,
by event type, and the check each family makes before a queued notice is sent."""

from __future__ import annotations

import typing
import uuid
from datetime import date

from services.domain import events
from services.domain.notices.kinds import REGISTRY
from services.domain.notifications.handlers import HANDLERS, OWNERS, STILL_APPLIES


def event_classes() -> set[type]:
    return set(typing.get_args(typing.get_args(events.Event)[0]))


def test_every_handler_is_for_an_event_the_domain_emits() -> None:
    assert set(HANDLERS) <= event_classes()
    assert events.DocumentPeopleAssigned in HANDLERS and events.MeetingMoved in HANDLERS


def test_each_event_has_one_owner() -> None:
    # Two packages deciding the notices of one event would race for each recipient's email.
    owners = [event_class for owner in OWNERS for event_class in owner.handlers]
    assert len(owners) == len(set(owners)) == len(HANDLERS)


def test_each_handler_takes_the_event_class_it_is_registered_for() -> None:
    # The fan-out parses each event once and hands the typed event to its handlers.
    for owner in OWNERS:
        for event_class, handler in owner.handlers.items():
            hints = typing.get_type_hints(handler)
            assert hints["event"] is event_class, handler.__qualname__


def test_a_payload_parses_back_into_the_event_it_was_written_from() -> None:
    written = events.ReviewCompleted(
        organisation_id=uuid.uuid4(),
        review_id=uuid.uuid4(),
        document_id=uuid.uuid4(),
        outcome="no_change",
        next_review_due=date(2027, 12, 3),
    )
    assert events.parse_event(written.model_dump(mode="json")) == written


def test_every_family_that_checks_before_sending_is_a_family_of_kinds() -> None:
    families = {kind.family for kind in REGISTRY}
    assert {owner.family for owner in OWNERS} <= families
    assert set(STILL_APPLIES) == {
        "meeting",
        "sign_off",
        "consultation",
        "update_cycle",
        "review_outcome",
        # A request to decide once decided, a reminder once no longer approved.
        "dis_application",
        # A request to move a review date once decided, withdrawn or lapsed.
        "review_extension",
        # A request, reminder or escalation once the action is closed (or given to another).
        "monitoring_action",
        # A request or reminder once confirmed or the ask has ended.
        "acknowledgement",
        # A plan item's reminder once it is marked sent or removed.
        "launch",
        # A stage's chase or escalation once the stage is decided, cancelled or amended.
        "sign_off_time_limit",
        # A parent's change once every flag it lists is decided and every review it opened ended.
        "cascade",
        # A change to a statutory source once it is no longer recorded.
        "statutory_source",
        # What leavers hold, once they are active again or hold nothing to move.
        "handover",
    }
