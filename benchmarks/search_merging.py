"""The worker's merging of the search index on SQLite as tickets keep coming (issue 14): thousands of tickets
created through the use case in rounds of 50, the worker's merging (`search.actions.merge` until it has
nothing left) after each round; per block of tickets, this process's CPU per ticket for creating and for
merging, and the FTS5 segments of each table; the query kinds of `benchmarks.search` timed before and after.

    .venv/bin/python -m benchmarks.search_merging --home DIR --tickets 5000   # DIR seeded and built by benchmarks.search
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from benchmarks.search import _django, _percentiles, _setup, _timed, query_values

PER_ROUND = 50
TABLES = ("search_fts", "search_trigram")


def _segments() -> str:
    from django.db import connection

    from caredesk.search.engines import fts5

    connection.ensure_connection()
    cursor, shown = connection.connection.cursor(), []
    for table in TABLES:
        structure = fts5.read(cursor, table)
        levels = [f"L{number}:{'+'.join(str(s.pages) for s in level.segments)}"
                  for number, level in enumerate(structure.levels) if level.segments]
        shown.append(f"{table} {len(structure.segments)} segments ({' '.join(levels)} pages)")
    return "; ".join(shown)


def _queries(agent, runs: int) -> None:
    from caredesk.customers.models import Customer
    from caredesk.search import queries

    for kind, typed in query_values(runs, Customer.objects.count()).items():
        print(f"  {kind:<18} {_percentiles(_timed(lambda value: queries.search(value, agent=agent), typed))}",
              flush=True)


def run(home: Path, tickets: int, runs: int, block: int) -> None:
    _setup(home, None)
    _django()
    from caredesk.core import audit
    from caredesk.core.models import Agent
    from caredesk.customers.models import Customer
    from caredesk.search import actions
    from caredesk.tickets import use_cases

    agent = Agent.objects.get(username="agent001")
    actor = audit.Actor.of_agent(agent)
    requesters = list(Customer.objects.order_by("pk")[:PER_ROUND])
    while actions.merge():  # what earlier runs left
        pass
    print(f"before, load average {os.getloadavg()[0]:.1f}: {_segments()}", flush=True)
    _queries(agent, runs)
    created = creating = merging = 0.0
    for number in range(tickets // PER_ROUND):
        started = time.process_time()
        for requester in requesters:
            use_cases.open_ticket(actor=actor, requester=requester, subject="Passport renewal question",
                                  description=f"When will my renewed passport arrive? Round {number}, call (415) 555-0199.")
        merged = time.process_time()
        while actions.merge():
            pass
        creating += merged - started
        merging += time.process_time() - merged
        created += PER_ROUND
        if created % block == 0:
            print(f"{created:6.0f} tickets: creating {creating / block * 1000:.2f} ms, the worker's merging "
                  f"{merging / block * 1000:.3f} ms of CPU a ticket (load {os.getloadavg()[0]:.1f}); {_segments()}",
                  flush=True)
            creating = merging = 0.0
    print(f"after {created:.0f} tickets, load average {os.getloadavg()[0]:.1f}:", flush=True)
    _queries(agent, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--block", type=int, default=1000, help="tickets per line of figures")
    parser.add_argument("--runs", type=int, default=100, help="searches of each kind, before and after")
    options = parser.parse_args()
    run(options.home, options.tickets, options.runs, options.block)


if __name__ == "__main__":
    main()
