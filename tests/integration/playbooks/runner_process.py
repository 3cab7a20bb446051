"""A separate process for the runner's concurrency tests: seed due follow-ups, sweep, or report.

    python runner_process.py seed COUNT      migrate, then COUNT tickets each with a follow-up due at day 3
    python runner_process.py sweep           sweep at day 3 until nothing is due; prints the runs stepped
    python runner_process.py report          prints JSON facts about what the sweeps wrote

The database comes from CAREDESK_DATABASE_URL or CAREDESK_HOME, as for `caredesk`. Seeding inserts rows in
bulk (a scale fixture, not a product path); sweeping is the worker's real code.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402

from caredesk.core import clock  # noqa: E402
from caredesk.customers.models import Customer  # noqa: E402
from caredesk.playbooks import engine, registry  # noqa: E402
from caredesk.playbooks.models import FollowUpTask, PlaybookRun  # noqa: E402
from caredesk.playbooks.runner import sweep_all  # noqa: E402
from caredesk.tickets.models import Ticket, TicketEvent, TicketType  # noqa: E402

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday


def playbook():
    return registry.latest_versions(registry.available_playbooks())["general_inquiry_follow_up"]


def day_three():
    return playbook().days.day_start(START, 3) + timedelta(hours=1)


def seed(count: int) -> None:
    call_command("migrate", verbosity=0)
    general = playbook()
    definition = registry.definition_for(general)
    facts = engine.TicketFacts(ticket_type="general_inquiry", customer_emails=("cx@example.com",))
    started = engine.start(general, facts, START).state
    after_day_two = engine.decide(general, started, facts, engine.Event("tick"),
                                  general.days.day_start(START, 2) + timedelta(hours=1)).state
    state = engine.state_to_dict(after_day_two)
    customer = Customer.objects.create(name="Scale Customer", created_at=START, updated_at=START)
    ticket_type = TicketType.objects.get(key="general_inquiry")
    tickets = Ticket.objects.bulk_create(
        [Ticket(subject=f"Ticket {index}", requester=customer, ticket_type=ticket_type, status="pending",
                created_at=START, updated_at=START) for index in range(count)], batch_size=2000)
    PlaybookRun.objects.bulk_create(
        [PlaybookRun(ticket=ticket, definition=definition, state=state, next_due_at=after_day_two.next_due_at,
                     started_at=START, updated_at=START) for ticket in tickets], batch_size=2000)


def sweep() -> None:
    with clock.frozen_at(day_three()):
        print(sweep_all(batch_size=200), flush=True)


def report() -> None:
    doubled = (FollowUpTask.objects.values("run_id", "task_key").annotate(copies=Count("id"))
               .filter(copies__gt=1).count())
    print(json.dumps({
        "runs": PlaybookRun.objects.count(),
        "runs_still_due": PlaybookRun.objects.filter(next_due_at__lte=day_three()).count(),
        "day_three_tasks": FollowUpTask.objects.filter(task_key="cycle-1/day-3").count(),
        "doubled_tasks": doubled,
        "task_created_events": TicketEvent.objects.filter(action="task.created").count(),
        "runs_at_day_three": sum(1 for state in PlaybookRun.objects.values_list("state", flat=True)
                                 if state["day"] == 3),
    }))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        seed(int(sys.argv[2]))
    elif command == "sweep":
        sweep()
    else:
        report()
