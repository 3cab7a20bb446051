"""Starting playbooks from a customer's email: the trigger is checked on the ticket in hand, cheaply."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.playbooks import runner
from caredesk.playbooks.facts import condition_facts
from caredesk.playbooks.models import PlaybookRun
from caredesk.tickets.actions import receive_customer_message

pytestmark = pytest.mark.django_db


def email(ticket):
    return receive_customer_message(ticket, customer=ticket.requester, channel="email", body="Any news?",
                                    details={"thread": "new"})


def test_an_email_on_a_website_care_ticket_starts_care_call_first(make_ticket):
    ticket = make_ticket(industry="website_care")
    email(ticket)
    assert list(PlaybookRun.objects.filter(ticket=ticket).values_list("definition__name", "status")) == [
        ("care_call_first", "running")]
    email(ticket)  # already running: not started twice
    assert PlaybookRun.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize("industry", [None, "us_passport"])
def test_an_email_on_another_ticket_starts_nothing(make_ticket, industry):
    ticket = make_ticket(industry=industry)
    email(ticket)
    assert not PlaybookRun.objects.filter(ticket=ticket).exists()


def test_no_trigger_can_match_a_ticket_without_an_order_so_nothing_is_read(make_ticket, django_assert_num_queries):
    ticket = make_ticket()  # care_call_first's condition names the order's industry; this ticket has no order
    with django_assert_num_queries(0):
        assert runner.start_triggered(ticket, "customer_email_on_ticket") == []


def test_condition_facts_read_only_the_named_fields(make_ticket, django_assert_num_queries):
    ticket = make_ticket(industry="website_care", tags=["vip"])
    ticket.refresh_from_db()  # no relation loaded
    with django_assert_num_queries(2):  # the order, then its industry
        facts = condition_facts(ticket, {"industry"})
    assert (facts.industry, facts.ticket_type, facts.tags, facts.status) == ("website_care", "", frozenset(), "open")
    full = condition_facts(ticket)
    assert (full.industry, full.ticket_type, full.tags) == ("website_care", "general_inquiry", frozenset({"vip"}))


def test_dispatch_without_a_running_run_asks_one_indexed_question(make_ticket, django_assert_num_queries):
    ticket = make_ticket()
    with django_assert_num_queries(1):
        runner.dispatch(ticket, "customer_reply")


def test_receive_customer_message_reads_the_ticket_once(make_ticket):
    ticket = make_ticket()
    with CaptureQueriesContext(connection) as captured:
        email(ticket)
    reads = [query["sql"] for query in captured.captured_queries
             if query["sql"].startswith("SELECT") and 'FROM "tickets_ticket"' in query["sql"]]
    assert len(reads) == 1, reads
