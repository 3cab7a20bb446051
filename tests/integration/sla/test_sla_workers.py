"""Several workers sweeping the same due SLA clocks at once record each breach once (DESIGN.md rule 4)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.sla import actions
from caredesk.tickets.actions import create_ticket
from caredesk.tickets.models import TicketEvent

MONDAY_9 = datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def test_concurrent_sweeps_record_each_breach_once(transactional_db, customer, agent):
    with clock.frozen_at(MONDAY_9):
        tickets = [create_ticket(actor=Actor.of_agent(agent), requester=customer, subject=f"T{n}")
                   for n in range(24)]
    handled, errors = [], []

    def worker():
        try:
            with clock.frozen_at(MONDAY_9 + timedelta(hours=9)):
                handled.append(actions.sweep_due(batch_size=4))
        except Exception as error:  # reported below: a thread's exception would be lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(handled) == 2 * len(tickets)  # first reply and periodic update breached, once each
    for ticket in tickets:
        assert TicketEvent.objects.filter(ticket=ticket, action="sla.breached").count() == 2
