"""What is asked of the governance routes and posts: add or change a route, record who holds a
post."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.domain.commands import UNSET, Command, Maybe


@dataclass(frozen=True, kw_only=True)
class NewRoute(Command):
    """A route with its first version."""

    key: str
    name: str
    # The route definition as JSON, as sent: parse_definition checks it and names the first
    # problem by its path (``definition.stages.0.decider``).
    definition: Mapping[str, Any]
    description: str = ""
    kinds: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    is_alternative: bool = False


@dataclass(frozen=True, kw_only=True)
class RouteChange(Command):
    """A change to a route; a field sent as null is left as it is. A new definition (JSON, as
    in ``NewRoute``) becomes the route's next version."""

    name: Maybe[str | None] = UNSET
    description: Maybe[str | None] = UNSET
    kinds: Maybe[list[str] | None] = UNSET
    categories: Maybe[list[str] | None] = UNSET
    is_alternative: Maybe[bool | None] = UNSET
    is_active: Maybe[bool | None] = UNSET
    definition: Maybe[Mapping[str, Any] | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class NewPost(Command):
    """Who holds a post ("assistant_director" for "Children in Need")."""

    post: str
    person_id: uuid.UUID
    # None: held for the whole organisation.
    service_area: str | None = None


@dataclass(frozen=True, kw_only=True)
class PostChange(Command):
    """The post handed to someone else."""

    person_id: Maybe[uuid.UUID | None] = UNSET
