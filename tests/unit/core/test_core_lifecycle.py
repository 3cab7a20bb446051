"""Every allowed and every refused status transition of a ticket."""

from __future__ import annotations

import itertools

import pytest

from caredesk.core.errors import Conflict
from caredesk.tickets import lifecycle
from caredesk.tickets.lifecycle import CLOSED, NEW, ON_HOLD, OPEN, PENDING, SOLVED, STATUSES, check_transition

ALLOWED = {
    (NEW, OPEN), (NEW, PENDING), (NEW, ON_HOLD), (NEW, SOLVED),
    (OPEN, PENDING), (OPEN, ON_HOLD), (OPEN, SOLVED),
    (PENDING, OPEN), (PENDING, ON_HOLD), (PENDING, SOLVED),
    (ON_HOLD, OPEN), (ON_HOLD, PENDING), (ON_HOLD, SOLVED),
    (SOLVED, OPEN), (SOLVED, CLOSED),
}
STAYS = {(status, status) for status in STATUSES if status != CLOSED}
REFUSED = set(itertools.product(STATUSES, STATUSES)) - ALLOWED - STAYS


def test_the_table_is_the_documented_one():
    declared = {(current, target) for current, targets in lifecycle.TRANSITIONS.items() for target in targets}
    assert declared == ALLOWED
    assert set(lifecycle.TRANSITIONS) == set(STATUSES)
    assert lifecycle.ACTIVE_STATUSES == (NEW, OPEN, PENDING, ON_HOLD)


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED | STAYS))
def test_allowed_transition_passes(current, target):
    assert check_transition(current, target) is None


@pytest.mark.parametrize(("current", "target"), sorted(REFUSED))
def test_refused_transition_raises_a_conflict_on_status(current, target):
    with pytest.raises(Conflict) as caught:
        check_transition(current, target)
    assert caught.value.field == "status"
    assert caught.value.status == 409


def test_refusal_names_what_is_allowed():
    with pytest.raises(Conflict, match=r"A new ticket cannot become closed \(allowed: on_hold, open, pending, solved\)"):
        check_transition(NEW, CLOSED)


@pytest.mark.parametrize("target", [*STATUSES])
def test_a_closed_ticket_cannot_change_at_all(target):
    with pytest.raises(Conflict, match="closed ticket cannot change"):
        check_transition(CLOSED, target)


@pytest.mark.parametrize("target", ["", "reopened", "OPEN", "on hold", None])
@pytest.mark.parametrize("current", STATUSES)
def test_unknown_target_status_is_refused(current, target):
    with pytest.raises(Conflict, match="Unknown status") as caught:
        check_transition(current, target)
    assert caught.value.field == "status"
