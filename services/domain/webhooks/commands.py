"""What the webhook subscriptions are asked to do: subscribe a receiver, change a subscription."""

from __future__ import annotations

import dataclasses

from services.domain.commands import UNSET, Command, Maybe


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewSubscription(Command):
    """Subscribe a receiver URL to the organisation's events (no event types: every type)."""

    url: str
    description: str = ""
    event_types: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubscriptionChange(Command):
    """Change a subscription: only the fields given."""

    url: Maybe[str] = UNSET
    description: Maybe[str] = UNSET
    event_types: Maybe[list[str]] = UNSET
    is_active: Maybe[bool] = UNSET
