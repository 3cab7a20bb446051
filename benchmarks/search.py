"""Full-text search at 1,000,000 tickets and 5,000,000 interactions (issue 14), on SQLite or PostgreSQL.

Targets: p95 under 100 ms for a rare word, a common word, a two-word phrase, a phone number by its digits,
an email address and a customer's name; the index built from scratch in under 15 minutes; the index no
larger than the text it indexes; creating a ticket no more than 15 % slower than without the index;
`caredesk serve` under 400 MB in total after the benchmark.

Steps, each on the same home (seeding takes long: run it once):

    .venv/bin/python -m benchmarks.search seed  --home /tmp/bench-search [--database-url postgresql://...]
    .venv/bin/python -m benchmarks.search build --home /tmp/bench-search [--database-url ...]
    .venv/bin/python -m benchmarks.search query --home /tmp/bench-search [--database-url ...]

`build` times `caredesk search-index --rebuild` (the real command) and prints the index's size beside the
text's. `query` times each query kind in-process (200 runs, the searched values drawn from the seeded
data), beside two baselines measured in the same run: a ticket read by its key, and the substring scan the
workspace used before (`subject LIKE '%word%'`, newest 20). Then it times ticket creation through the
actions with and without the index following the audit events, and serves `GET /api/v1/search` from a real
`caredesk serve` (2 workers) under load, then reads the server's memory (RSS of all its processes).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import time
from pathlib import Path

from benchmarks.harness import CAREDESK, caredesk_env, closed_loop, request_bytes, run_cli, running_server

AGENTS = 20


def _setup(home: Path, database_url: str | None) -> dict:
    env = caredesk_env(home, database_url)
    os.environ.update({key: value for key, value in env.items() if key.startswith(("CAREDESK_", "DJANGO_"))})
    return env


def _django():
    import django

    django.setup()


def seed(home: Path, database_url: str | None, tickets: int, interactions: int, customers: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    env = _setup(home, database_url)
    run_cli(env, "init", "--no-input")
    _django()
    from benchmarks.search_seed import seed_search_corpus
    from caredesk.core.actions import create_agent

    agents = [create_agent(username=f"agent{index:03}", password="benchmark-password", check_password=False)
              for index in range(1, AGENTS + 1)]
    started = time.perf_counter()
    seed_search_corpus(tickets=tickets, interactions=interactions, customers=customers,
                       agents=[agent.pk for agent in agents],
                       progress=lambda line: print(f"[{time.perf_counter() - started:6.0f}s] {line}", flush=True))
    print(f"seeded in {time.perf_counter() - started:.0f}s", flush=True)


def build(home: Path, database_url: str | None) -> None:
    raise NotImplementedError


def query(home: Path, database_url: str | None, runs: int, seconds: float) -> None:
    raise NotImplementedError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["seed", "build", "query"])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of HTTP load per query kind")
    options = parser.parse_args()
    if options.step == "seed":
        seed(options.home, options.database_url, options.tickets, options.interactions, options.customers)
    elif options.step == "build":
        build(options.home, options.database_url)
    else:
        query(options.home, options.database_url, options.runs, options.seconds)


if __name__ == "__main__":
    main()
