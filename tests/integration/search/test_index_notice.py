"""The search page says when the index is not built (a database from before search, a stopped build)."""

from __future__ import annotations

import pytest

from caredesk.core.audit import Actor
from caredesk.search import actions, queries
from caredesk.tickets import use_cases

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_database_indexed_as_it_changed_needs_no_notice(agent, customer):
    use_cases.open_ticket(actor=Actor.of_agent(agent), requester=customer, subject="Hello", description="Hi.")
    assert queries.index_notice() == ""


def test_records_never_indexed_and_a_stopped_build_are_named(agent, customer):
    use_cases.open_ticket(actor=Actor.of_agent(agent), requester=customer, subject="Hello", description="Hi.")
    actions.clear()
    assert "ticket" in queries.index_notice() and "customer" in queries.index_notice()
    actions.build("ticket", stop=lambda: True)  # one batch (all of it), then stopped before finishing
    assert "ticket" in queries.index_notice()
    for name in ("ticket", "interaction", "customer", "order", "case"):
        actions.build(name)
    assert queries.index_notice() == ""
