"""The notices registry (services/domain/notifications/handlers.py): each package's handlers,
by event type, and the check each family makes before a queued notice is sent."""

from __future__ import annotations

import typing

from services.domain import events
from services.domain.notices.kinds import REGISTRY
from services.domain.notifications.handlers import HANDLERS, OWNERS, STILL_APPLIES


def event_types() -> set[str]:
    union = typing.get_args(typing.get_args(events.Event)[0])
    return {typing.get_args(model.model_fields["type"].annotation)[0] for model in union}


def test_every_handler_is_for_an_event_the_domain_emits() -> None:
    assert set(HANDLERS) <= event_types()
    assert "document.people_assigned" in HANDLERS and "meeting.moved" in HANDLERS


def test_each_event_type_has_one_owner() -> None:
    # Two packages deciding the notices of one event would race for each recipient's email.
    owners = [event_type for owner in OWNERS for event_type in owner.handlers]
    assert len(owners) == len(set(owners)) == len(HANDLERS)


def test_every_family_that_checks_before_sending_is_a_family_of_kinds() -> None:
    families = {kind.family for kind in REGISTRY}
    assert {owner.family for owner in OWNERS} <= families
    assert set(STILL_APPLIES) == {
        "meeting",
        "sign_off",
        "consultation",
        "update_cycle",
        "review_outcome",
    }
