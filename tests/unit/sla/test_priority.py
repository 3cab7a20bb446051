"""How a priority is reached (caredesk.sla.priority): matrix, at most one level raised, override with reason."""

import pytest

from caredesk.sla.priority import assess

LEVELS = {1: "low", 2: "medium", 3: "high", 4: "urgent"}
MATRIX = {("One person", "Can wait"): 1, ("Whole business", "Blocks work now"): 4, ("One person", "Needed soon"): 2}


def test_the_matrix_gives_the_priority():
    result = assess(levels=LEVELS, default=2, impact="One person", urgency="Can wait", matrix=MATRIX)
    assert (result.priority, result.raised, result.overridden) == (1, False, False)
    assert result.explanation() == "low from impact One person and urgency Can wait"


def test_importance_and_contract_raise_it_by_one_level_only():
    result = assess(levels=LEVELS, default=2, impact="One person", urgency="Can wait", matrix=MATRIX,
                    raisers=["a VIP customer", "the Premium contract"])
    assert (result.priority, result.raised) == (2, True)
    assert result.steps[-1] == "raised one level to medium for a VIP customer and the Premium contract"


def test_the_top_level_is_not_exceeded():
    result = assess(levels=LEVELS, default=2, impact="Whole business", urgency="Blocks work now", matrix=MATRIX,
                    raisers=["a VIP customer"])
    assert (result.priority, result.raised) == (4, False)


def test_without_impact_and_urgency_the_default_is_used():
    result = assess(levels=LEVELS, default=2, raisers=["a key customer"])
    assert result.priority == 3 and result.steps[0] == "medium by default (no impact and urgency)"


def test_an_override_wins_and_needs_a_reason():
    result = assess(levels=LEVELS, default=2, override=4, override_reason="Launch today")
    assert (result.priority, result.overridden) == (4, True)
    assert result.steps[-1] == "set to urgent by an agent: Launch today"
    with pytest.raises(ValueError):
        assess(levels=LEVELS, default=2, override=4, override_reason=" ")
