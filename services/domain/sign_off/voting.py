"""The count of a stage decided by named people: who is for, against, abstaining or yet to
vote, whether the quorum is met, and whether the outcome is already certain.

Pure functions (and ``tally_of``, which reads a stage's decisions): a stage settles as soon as
no vote still to come can change its outcome.

- ``all``, ``any`` and ``count`` keep the rule they always had: approved once every person,
  one, or N of them approve; refused by the first refusal. With abstentions allowed, a ``count``
  stage is also refused once too few are left who could approve.
- ``simple_majority``: approved when more approve than refuse among the votes cast
  (abstentions not counted), with the quorum met; a tie is not a majority. Settled approved as
  soon as the approvals outnumber the refusals and every vote still to come; refused as soon as
  the refusals equal or outnumber the approvals and every vote still to come.
- ``absolute_majority``: approved when more than half of those eligible approve, with the
  quorum met; refused once that many approvals can no longer come.

A vote that could still be approved waits, quorum or not: the stage's time limit chases it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.governance.definition import DECIDER, PeopleDecider
from services.domain.models.sign_off import SignOffDecision, SignOffStage
from services.domain.text import STORED

AGREEING = ("approved", "approved_with_conditions", "noted")
ABSTAINED = "abstained"

Settled = Literal["approved", "refused"]


@dataclass(frozen=True)
class Rule:
    """How a stage's votes are counted: what ``deciders.resolve`` fixed when it started."""

    rule: str = "all"
    # Approvals that carry it (all, any, count, absolute majority); 1 for a simple majority.
    required: int = 1
    quorum: int | None = None


def rule_of(decider: object, required: int) -> Rule:
    """The counting rule of a stage's decider (anything but named people counts as before)."""
    if isinstance(decider, PeopleDecider):
        return Rule(decider.rule, required, decider.quorum)
    return Rule("count", required, None)


def decider_of(stage: SignOffStage) -> object:
    """The decider a stage's definition names, if it names one."""
    raw = (stage.definition or {}).get("decider")
    return DECIDER.validate_python(raw, context=STORED) if raw else None


def required_for(rule: str, eligible: int, count: int | None) -> int:
    """The approvals a rule needs of ``eligible`` people (the fewest, for a simple majority)."""
    if rule == "all":
        return eligible
    if rule == "absolute_majority":
        return eligible // 2 + 1
    if rule == "count":
        return count or 1
    return 1  # any; a simple majority of one vote cast


@dataclass(frozen=True)
class Tally:
    """The votes on a stage in its current round."""

    rule: str
    eligible: int
    approvals: int
    refusals: int
    abstentions: int
    pending: int
    required: int
    quorum: int | None
    is_quorate: bool
    # approved or refused once certain; None while votes to come could change it.
    outcome: Settled | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _settled(rule: Rule, approvals: int, refusals: int, pending: int) -> Settled | None:
    """Whether the outcome is certain, before the quorum is considered."""
    if rule.rule == "simple_majority":
        if approvals > refusals + pending:
            return "approved"
        if refusals >= approvals + pending:
            return "refused"
        return None
    if rule.rule != "absolute_majority" and refusals:
        return "refused"  # all, any, count: the first refusal refuses, as it always has
    if approvals >= rule.required:
        return "approved"
    if approvals + pending < rule.required:
        return "refused"
    return None


def count_votes(rule: Rule, eligible: int, outcomes: Iterable[str]) -> Tally:
    """The tally of ``outcomes`` (the current decisions' outcomes) among ``eligible`` people.

    Deferrals are not votes: a deferral moves the stage on before it is counted.
    """
    listed = list(outcomes)
    approvals = sum(1 for o in listed if o in AGREEING)
    refusals = sum(1 for o in listed if o == "rejected")
    abstentions = sum(1 for o in listed if o == ABSTAINED)
    cast = approvals + refusals + abstentions
    pending = max(eligible - cast, 0)
    is_quorate = rule.quorum is None or cast >= rule.quorum
    outcome = _settled(rule, approvals, refusals, pending)
    if outcome == "approved" and not is_quorate:
        outcome = None  # certain to carry once quorate, but not a decision until then
    return Tally(
        rule=rule.rule,
        eligible=eligible,
        approvals=approvals,
        refusals=refusals,
        abstentions=abstentions,
        pending=pending,
        required=rule.required,
        quorum=rule.quorum,
        is_quorate=is_quorate,
        outcome=outcome,
    )


def tally_for(stage: SignOffStage, decider: object, decisions: Sequence[SignOffDecision]) -> Tally:
    """The tally of a stage's current round from the sign-off's decisions (superseded ones
    and deferrals left out)."""
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    outcomes = [
        d.outcome
        for d in decisions
        if d.stage_id == stage.id
        and d.round == stage.round
        and d.id not in superseded
        and d.outcome != "deferred"
    ]
    eligible = len(stage.participants) or stage.required
    return count_votes(rule_of(decider, stage.required), eligible, outcomes)


async def tally_of(session: AsyncSession, stage: SignOffStage, decider: object) -> Tally:
    """The tally of a stage's current round, read from the database."""
    rows = await session.execute(
        select(SignOffDecision).where(SignOffDecision.stage_id == stage.id)
    )
    return tally_for(stage, decider, list(rows.scalars()))
