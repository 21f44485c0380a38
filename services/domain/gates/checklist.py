"""The fit-for-purpose checklist (Cafcass appendix 3): its questions, the answers allowed, and
when a check is complete (every question answered), which the fitness gate asks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ANSWERS = ("yes", "no", "partly")
# Cafcass appendix 3, "Fit for Purpose Criteria".
QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "q1_outcome",
        "Is the policy clear about what outcome it is intended to deliver and how it supports "
        "the organisation in its overall direction?",
    ),
    (
        "q2_easy_to_follow",
        "Is it easy to understand what you must do to implement and follow this policy?",
    ),
    (
        "q3_government_agenda",
        "Does the policy take account of the wider agenda of Government policy for children and "
        "children's services as it is relevant to the particular policy area?",
    ),
    (
        "q4_legislation",
        "Does the policy make clear reference to and fit within the appropriate legislative "
        "requirements? (The policy must fulfil Cafcass' legal obligations and you should ensure "
        "that legal has checked it and advised your team.)",
    ),
    (
        "q5_links",
        "Does the policy make clear links to other relevant Cafcass policies so that it 'fits' "
        "with the overall direction of the organisation and avoids giving out contradictory "
        "messages?",
    ),
    (
        "q6_clear_concise",
        "Is the policy clear and concise? (Is the policy written in a style that is simple and "
        "direct and avoids longwinded language or becomes difficult to follow.)",
    ),
    ("q7_diversity_impact", "Has the policy been subject to a diversity impact assessment?"),
    ("q8_ownership", "Is it clear who owns the policy and the date that it was issued?"),
    (
        "q9_consultation",
        "Has the policy been shaped by the involvement and consultation of a range of "
        "stakeholders?",
    ),
    ("q10_evidence", "Does the policy draw on a relevant evidence base to support assertions?"),
)
QUESTION_KEYS = tuple(key for key, _ in QUESTIONS)


def is_complete(answers: Mapping[str, Any]) -> bool:
    """Every question of the checklist has an answer."""
    return all(
        isinstance(answers.get(key), Mapping) and answers[key].get("answer") in ANSWERS
        for key in QUESTION_KEYS
    )
