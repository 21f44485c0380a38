"""What statutory sources are asked to do, as typed commands (services/domain/commands.py).

The API builds each from its request body (``NewSource.of(body.model_dump())``; a PATCH with
``SourceChange.of(body.model_dump(exclude_unset=True))``, where a field left out is UNSET).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.domain.commands import UNSET, Command, Maybe
from services.domain.models.statutory_sources import SourceKind


@dataclass(frozen=True, kw_only=True)
class NewSource(Command):
    """An Act, statutory guidance or inspection framework documents depend on."""

    title: str
    kind: SourceKind
    url: str
    publisher: str = ""
    # An Atom feed of its changes (GOV.UK has one per page); polled daily when given.
    feed_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class SourceChange(Command):
    """A change to a source's details; ``feed_url`` sent as null stops the polling."""

    title: Maybe[str] = UNSET
    kind: Maybe[SourceKind] = UNSET
    url: Maybe[str] = UNSET
    publisher: Maybe[str] = UNSET
    feed_url: Maybe[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class NewLink(Command):
    """A document depends on the source, and why (the sections that rest on it)."""

    document_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class NewChange(Command):
    """A change to the source: what changed and when it takes effect."""

    summary: str
    effective_on: date | None = None
    # Where it was announced (a GOV.UK page), if anywhere.
    link: str | None = None
