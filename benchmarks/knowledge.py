"""The knowledge base's searches on a large search index (issue 14): the composer's article suggestions for a
ticket, an article search as an agent types it, and the public help search, beside baselines measured in the
same run: a ticket read by its key, and one search of the same word over every source (the workspace search box).

The engine indexes articles in its one index with tickets, interactions, customers and orders; this measures
the article searches on such a database (docs/benchmarks.md has the figures of both designs: article searches
through the engine, and matched directly as now). Steps, on the same home (seeding takes long: run it once):

    .venv/bin/python -m benchmarks.knowledge seed  --home /tmp/bench-knowledge --tickets 100000 --interactions 500000
    .venv/bin/python -m benchmarks.knowledge query --home /tmp/bench-knowledge

`seed` fills the home with the search benchmark's corpus (benchmarks/search_seed.py), builds the index with
`caredesk search-index`, then writes and publishes the demo's articles through the actions (they are indexed as
they commit). `query` times each search in-process, `--runs` times each, on tickets and words drawn from the data.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from benchmarks.harness import caredesk_env, run_cli

WRITERS = ("maria", "devon", "roxy", "vincent", "heather")  # the demo articles' authors


def _setup(home: Path, database_url: str | None) -> None:
    env = caredesk_env(home, database_url)
    os.environ.update({key: value for key, value in env.items() if key.startswith(("CAREDESK_", "DJANGO_"))})
    import django

    django.setup()


def seed(home: Path, database_url: str | None, tickets: int, interactions: int, customers: int) -> None:
    from benchmarks import search as search_benchmark

    search_benchmark.seed(home, database_url, tickets, interactions, customers)  # sets up Django too
    started = time.perf_counter()
    run_cli(caredesk_env(home, database_url), "search-index")
    print(f"index built in {time.perf_counter() - started:.0f}s", flush=True)
    from caredesk.core.actions import create_agent
    from caredesk.knowledge.demo import load_articles

    agents = {name: create_agent(username=name, password="benchmark-password", check_password=False)
              for name in WRITERS}
    print(f"{len(load_articles(agents))} articles published", flush=True)


def _times(function, values, runs: int) -> tuple[float, float]:
    spent = []
    for index in range(runs):
        value = values[index % len(values)]
        started = time.perf_counter()
        function(value)
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def query(home: Path, database_url: str | None, runs: int) -> None:
    _setup(home, database_url)
    from caredesk.core.models import Agent
    from caredesk.knowledge import queries
    from caredesk.search.queries import search
    from caredesk.tickets.models import Ticket

    agent = Agent.objects.get(username="maria")
    count = Ticket.objects.count()
    highest = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    picked = random.Random(14)
    ticket_ids = [picked.randint(1, highest) for _ in range(runs)]
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids))
    words = ["passport", "refund", "photo", "appointment", "ein", "website", "renewal", "shipping"]
    print(f"{count:,} tickets in the index's database; load average {os.getloadavg()[0]:.1f}; {runs} runs each")
    figures = [
        ("baseline: a ticket read by its key", _times(lambda pk: Ticket.objects.get(pk=pk), ticket_ids, runs)),
        ("baseline: one word over every source (workspace search)",
         _times(lambda word: search(word, agent=agent), words, runs)),
        ("composer suggestions for a ticket (6 words)",
         _times(lambda ticket: queries.suggestions(ticket, agent=agent), tickets, runs)),
        ("an agent's article search (one word)",
         _times(lambda word: queries.search_articles(word, agent=agent), words, runs)),
        ("the public help search (one word)",
         _times(lambda word: queries.search_articles(word, public_only=True), words, runs)),
    ]
    for label, (median, p95) in figures:
        print(f"{label:<58} p50 {median:8.2f} ms   p95 {p95:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["seed", "query"])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=500_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=100)
    options = parser.parse_args()
    if options.step == "seed":
        seed(options.home, options.database_url, options.tickets, options.interactions, options.customers)
    else:
        query(options.home, options.database_url, options.runs)


if __name__ == "__main__":
    main()
