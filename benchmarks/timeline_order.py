"""What ordering the ticket timeline by its write sequence costs (issue 15): the interactions' query with
each interaction's own audit event id (a correlated subquery on the indexed `interaction_id`), against the
same query without it (the baseline, measured alternately in the same run), on the 200-entry ticket of a
home that `benchmarks.workspace_pages` seeded (1,000,000 tickets), and the whole merged timeline.

    .venv/bin/python -m benchmarks.timeline_order --home DIR [--rounds 200]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.harness import caredesk_env
from benchmarks.workspace_pages import TIMELINE_SUBJECT, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="a home seeded by benchmarks.workspace_pages")
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    setup_django(caredesk_env(Path(options.home)))
    from django.db.models import OuterRef, Subquery

    from caredesk.tickets import queries as ticket_queries
    from caredesk.tickets.models import Ticket, TicketEvent
    from caredesk.web.queries import merged_timeline

    ticket = Ticket.objects.get(subject=TIMELINE_SUBJECT)
    sequence = Subquery(TicketEvent.objects.filter(interaction=OuterRef("pk")).order_by("id").values("id")[:1])
    measured = {
        "interactions (baseline)": lambda: list(ticket_queries.timeline(ticket)),
        "interactions with their event's id": lambda: list(ticket_queries.timeline(ticket).annotate(
            sequence=sequence)),
        "merged timeline (interactions, events, sentences)": lambda: merged_timeline(ticket, with_audit=True),
    }
    timings: dict[str, list[float]] = {label: [] for label in measured}
    for _ in range(options.rounds):  # alternated, so a busy moment of the machine hits each alike
        for label, run in measured.items():
            started = time.perf_counter()
            run()
            timings[label].append(time.perf_counter() - started)
    entries = len(merged_timeline(ticket, with_audit=True))
    print(f"ticket #{ticket.pk}: {entries} timeline entries; {options.rounds} rounds")
    for label, values in timings.items():
        ordered = sorted(values)
        print(f"  {label:<52} p50 {ordered[len(ordered) // 2] * 1000:7.2f} ms  "
              f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
