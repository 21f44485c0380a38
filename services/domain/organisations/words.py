"""Each organisation's own words: what it calls the people around a document, and the sources
its messages cite.

The seeds name the same roles differently: the owner is the Policy Sponsor at Cafcass, the
Responsible Strategic Manager at NCT and the document owner at Dorset; the people who run the
process are Birmingham's Practice Hub, NCT's Policy and Procedures Officer and Dorset's Project
and Policy Officer. A message that cites a source (the equality screening of Cafcass appendix 2,
LBBD's EIA Screening Tool) cites the organisation's own, or nothing.

``words_for`` is the one place emails, problem messages and reports get them from.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.organisations import Organisation
from services.domain.text import STORED, TextPolicy

# Markup never belongs here (control characters are the text policy's: services/domain/text.py).
_UNSAFE = re.compile(r"[<>]")


def _plain(value: str) -> str:
    if _UNSAFE.search(value):
        raise ValueError("use plain words: no '<' or '>'")
    return " ".join(value.split())


Title = Annotated[str, TextPolicy(80, 1, strip=True), AfterValidator(_plain)]
Citation = Annotated[str, TextPolicy(120, 1, strip=True), AfterValidator(_plain)]


class Citations(BaseModel):
    """The sources the organisation's messages cite; none (null) leaves the citation out."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    business_case: Citation | None = Field(
        None, description="Where a business case is defined (Cafcass: appendix 1)."
    )
    equality_screening: Citation | None = Field(
        None,
        description="The equality impact screening tool (Cafcass appendix 2; LBBD's EIA "
        "Screening Tool).",
    )
    equality_reassessment: Citation | None = Field(
        None,
        description="The rule that a draft with adverse impact is assessed again (Cafcass 4.8).",
    )
    fit_for_purpose: Citation | None = Field(
        None, description="The fit-for-purpose checklist (Cafcass appendix 3)."
    )
    review_escalation: Citation | None = Field(
        None,
        description="The rule that a late review is escalated (Dorset PPP Group terms of "
        "reference 8.3).",
    )


class OrganisationWords(BaseModel):
    """Role titles as the organisation says them, in running text ("the ... of POL-001"), and
    its citations. Every title has a neutral default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: Title = Field(
        "owner",
        description="Who is accountable for a document (Cafcass: Policy Sponsor; NCT: "
        "Responsible Strategic Manager; Dorset: document owner).",
    )
    responsible_officer: Title = Field(
        "responsible officer",
        description="Who coordinates its review and updates (NCT: Responsible Officer).",
    )
    author: Title = Field("author", description="Who drafts it (Cafcass: Policy Author).")
    policy_team: Title = Field(
        "policy team",
        description="Who runs the process (Birmingham: Practice Hub; NCT: Policy and "
        "Procedures Officer; Dorset: Project and Policy Officer).",
    )
    escalation_contact: Title = Field(
        "escalation contact",
        description="Who a late review is escalated to (Dorset: Head of Quality Assurance and "
        "Partnerships).",
    )
    citations: Citations = Field(default_factory=Citations)

    def title_of(self, role: str) -> str:
        """The title of a role on a document: ``owner``, ``responsible_officer`` or ``author``."""
        return str(getattr(self, role)) if role in DOCUMENT_ROLES else role.replace("_", " ")

    def cite(self, source: str) -> str:
        """' (<citation>)' to end a sentence with, or '' when the organisation cites none."""
        found = getattr(self.citations, source)
        return f" ({found})" if found else ""


# The roles a person holds on a document, in the order messages name them.
DOCUMENT_ROLES = ("owner", "responsible_officer", "author")
DEFAULT_WORDS = OrganisationWords()


def words_of(organisation: Organisation | None) -> OrganisationWords:
    """The organisation's words, defaults filled in (stored rows keep only what was set)."""
    if organisation is None or not organisation.words:
        return DEFAULT_WORDS
    return OrganisationWords.model_validate(organisation.words, context=STORED)


async def words_for(session: AsyncSession, organisation_id: uuid.UUID) -> OrganisationWords:
    """The words for this organisation: the one lookup emails, messages and reports use."""
    return words_of(await session.get(Organisation, organisation_id))


def roles_held(document: Any, person_id: uuid.UUID | None) -> list[str]:
    """The roles (``owner``, ``responsible_officer``, ``author``) a person holds on a document."""
    if person_id is None:
        return []
    return [role for role in DOCUMENT_ROLES if getattr(document, f"{role}_id") == person_id]


def in_words(words: OrganisationWords, roles: Sequence[str]) -> list[str]:
    """Roles as the organisation says them, each once."""
    return list(dict.fromkeys(words.title_of(role) for role in roles))


def joined(titles: Sequence[str]) -> str:
    """['owner', 'author'] -> 'owner and author'; three or more with commas."""
    items = list(titles)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
