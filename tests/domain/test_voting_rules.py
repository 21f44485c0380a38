"""The count of a stage decided by named people (services/domain/sign_off/voting.py) and the
dates of a stage's time limit (sign_off/time_limits.py): golden tables at each boundary."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.calendar.working_days import WorkingCalendar
from services.domain.sign_off import time_limits
from services.domain.sign_off.voting import Rule, count_votes, required_for

FOR, AGAINST, ABSTAIN = "approved", "rejected", "abstained"


def outcome(rule: str, eligible: int, votes: list[str], quorum: int | None = None) -> str | None:
    count = 2 if rule == "count" else None
    required = required_for(rule, eligible, count)
    return count_votes(Rule(rule, required, quorum), eligible, votes).outcome


@pytest.mark.parametrize(
    ("eligible", "votes", "expected"),
    [
        # More for than against among the votes cast, whatever the rest would do.
        (5, [FOR, FOR, AGAINST], None),
        (5, [FOR, FOR, FOR, AGAINST], "approved"),
        (5, [FOR, FOR, FOR], "approved"),
        # A tie is not a majority: refused once no vote to come can break it.
        (4, [FOR, FOR, AGAINST, AGAINST], "refused"),
        (4, [FOR, AGAINST], None),
        # The best the last vote can do is a tie: refused without waiting for it.
        (4, [FOR, AGAINST, AGAINST], "refused"),
        (5, [AGAINST, AGAINST, AGAINST], "refused"),
        # Abstentions are not counted for or against.
        (3, [FOR, ABSTAIN, ABSTAIN], "approved"),
        (3, [ABSTAIN, ABSTAIN, ABSTAIN], "refused"),
        (3, [FOR, AGAINST, ABSTAIN], "refused"),
        (3, ["approved_with_conditions", ABSTAIN], None),
    ],
)
def test_a_simple_majority_is_more_for_than_against_among_votes_cast(
    eligible: int, votes: list[str], expected: str | None
) -> None:
    assert outcome("simple_majority", eligible, votes) == expected


@pytest.mark.parametrize(
    ("eligible", "votes", "expected"),
    [
        # More than half of those eligible: 3 of 5, 3 of 4, 4 of 6.
        (5, [FOR, FOR], None),
        (5, [FOR, FOR, FOR], "approved"),
        (4, [FOR, FOR, ABSTAIN], None),
        (4, [FOR, FOR, ABSTAIN, ABSTAIN], "refused"),
        (4, [FOR, FOR, FOR], "approved"),
        (6, [FOR, FOR, FOR, AGAINST, AGAINST], None),
        (6, [FOR, FOR, FOR, AGAINST, AGAINST, FOR], "approved"),
        # A refusal alone does not refuse: approval is impossible only when too few are left.
        (5, [AGAINST, AGAINST], None),
        (5, [AGAINST, AGAINST, ABSTAIN], "refused"),
    ],
)
def test_an_absolute_majority_is_more_than_half_of_those_eligible(
    eligible: int, votes: list[str], expected: str | None
) -> None:
    assert outcome("absolute_majority", eligible, votes) == expected


def test_the_rules_that_were_there_keep_their_first_refusal_refuses() -> None:
    assert outcome("all", 3, [FOR, FOR]) is None
    assert outcome("all", 3, [FOR, FOR, FOR]) == "approved"
    assert outcome("all", 3, [FOR, AGAINST]) == "refused"
    assert outcome("any", 3, [FOR]) == "approved"
    assert outcome("any", 3, [AGAINST]) == "refused"
    assert outcome("count", 3, [FOR]) is None
    assert outcome("count", 3, [FOR, FOR]) == "approved"
    assert outcome("count", 3, [FOR, AGAINST]) == "refused"
    # With abstentions allowed, N of them is refused once too few are left to approve.
    assert outcome("count", 3, [ABSTAIN]) is None
    assert outcome("count", 3, [ABSTAIN, ABSTAIN]) == "refused"


def test_an_approval_waits_for_the_quorum_and_abstentions_count_towards_it() -> None:
    # 3 for of 5 is certain, but only 3 votes are cast of the 4 needed.
    waiting = count_votes(Rule("simple_majority", 1, 4), 5, [FOR, FOR, FOR])
    assert (waiting.outcome, waiting.is_quorate, waiting.pending) == (None, False, 2)
    quorate = count_votes(Rule("simple_majority", 1, 4), 5, [FOR, FOR, FOR, ABSTAIN])
    assert (quorate.outcome, quorate.is_quorate) == ("approved", True)
    # A vote that can no longer be approved is refused, quorate or not.
    refused = count_votes(Rule("absolute_majority", 3, 5), 5, [AGAINST, AGAINST, AGAINST])
    assert (refused.outcome, refused.is_quorate) == ("refused", False)


def test_the_tally_counts_each_kind_of_vote() -> None:
    tally = count_votes(
        Rule("simple_majority", 1, 3), 6, [FOR, "approved_with_conditions", AGAINST, ABSTAIN]
    )
    assert tally.as_json() == {
        "rule": "simple_majority",
        "eligible": 6,
        "approvals": 2,
        "refusals": 1,
        "abstentions": 1,
        "pending": 2,
        "required": 1,
        "quorum": 3,
        "is_quorate": True,
        "outcome": None,
    }


def test_required_approvals_per_rule() -> None:
    assert [required_for("absolute_majority", n, None) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]
    assert required_for("all", 4, None) == 4
    assert required_for("any", 4, None) == 1
    assert required_for("count", 4, 3) == 3
    assert required_for("simple_majority", 4, None) == 1


ENGLAND = WorkingCalendar("ENG")


def test_a_time_limit_skips_christmas_and_the_boxing_day_substitute() -> None:
    # Started Wednesday 23 December 2026: Thursday 24 counts; Friday 25 (Christmas), the
    # weekend and Monday 28 (Boxing Day, a Saturday, moved) do not; Tuesday 29, Wednesday 30.
    due = time_limits.due_on(date(2026, 12, 23), 3, ENGLAND)
    assert due == date(2026, 12, 30)
    assert time_limits.chase_on(due, ENGLAND) == date(2026, 12, 31)
    # Two working days after the chase: New Year's Day is a bank holiday; Monday 4, Tuesday 5.
    assert time_limits.escalate_on(due, 2, ENGLAND) == date(2027, 1, 5)
    # Without a number of its own, the policy team is told five working days after the chase.
    assert time_limits.escalate_on(due, None, ENGLAND) == date(2027, 1, 8)


def test_a_stage_is_overdue_only_after_its_last_day() -> None:
    assert not time_limits.is_overdue(date(2026, 12, 30), date(2026, 12, 30))
    assert time_limits.is_overdue(date(2026, 12, 30), date(2026, 12, 31))
    assert not time_limits.is_overdue(None, date(2026, 12, 31))
