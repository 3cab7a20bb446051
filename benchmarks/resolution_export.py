"""The CSV export of resolutions by week, root cause, resolution code and agent, over many resolutions.

The export reads the resolutions in chunks and counts them in Python (it streams: nothing holds the whole
table). Baseline, in the same run: a raw SQL loop over the same rows and columns, counting nothing. The figure
is the export's time against the baseline's, and rows exported a second.

    .venv/bin/python -m benchmarks.resolution_export [--tickets 200000]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.harness import caredesk_env, run_cli

ROUNDS = 3


def seed(home: Path, tickets: int) -> None:
    """`tickets` solved tickets, each with one resolution recorded over the last 26 weeks by 20 agents."""
    env = caredesk_env(home)
    run_cli(env, "init", "--no-input")
    os.environ.update({key: value for key, value in env.items() if key.startswith(("CAREDESK_", "DJANGO_"))})
    import django

    django.setup()
    from django.db import transaction

    from benchmarks.seed import _ids, _insert, seed_tickets
    from caredesk.core import clock
    from caredesk.core.actions import create_agent
    from caredesk.resolutions.rules import week_of

    agents = [create_agent(username=f"agent{index:02}", password="benchmark-password", check_password=False).pk
              for index in range(20)]
    seed_tickets(tickets, agents=agents, customers=10_000, status="solved")
    generator, now = random.Random(11), clock.now()
    causes, codes = _ids("resolutions_rootcause"), _ids("resolutions_resolutioncode")
    columns = ["ticket_id", "root_cause_id", "resolution_code_id", "summary", "knowledge_base_reference",
               "recorded_by_id", "recorded_label", "recorded_at", "recorded_week", "current", "confirmation", "confirmation_channel",
               "confirmation_note"]
    with transaction.atomic():
        rows = []
        for ticket_id in _ids("tickets_ticket"):
            recorded = now - timedelta(minutes=generator.randrange(26 * 7 * 24 * 60))
            rows.append((ticket_id, generator.choice(causes), generator.choice(codes), "Seeded.", "",
                         generator.choice(agents), "", recorded, week_of(recorded), True,
                         generator.choice(("confirmed", "sent", "not_fixed")), "", ""))
        for offset in range(0, len(rows), 20_000):
            _insert("resolutions_resolution", columns, rows[offset:offset + 20_000])


def best_of(rounds: int, run) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=200_000)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="caredesk-bench-"))
    started = time.perf_counter()
    seed(home, options.tickets)
    print(f"seeded {options.tickets} resolutions in {time.perf_counter() - started:.0f}s")

    from django.db import connection

    from caredesk.resolutions.export import csv_response

    def export() -> int:
        return sum(1 for _ in csv_response().streaming_content)

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.recorded_week, c.name, k.name, u.username, r.recorded_label, r.confirmation "
                "FROM resolutions_resolution r LEFT JOIN resolutions_rootcause c ON c.id = r.root_cause_id "
                "LEFT JOIN resolutions_resolutioncode k ON k.id = r.resolution_code_id "
                "LEFT JOIN core_agent u ON u.id = r.recorded_by_id")
            return sum(1 for _ in iter(lambda: cursor.fetchmany(2000), []))

    lines = export()
    exported, raw = best_of(ROUNDS, export), best_of(ROUNDS, baseline)
    print(f"export: {lines} CSV lines from {options.tickets} resolutions in {exported * 1000:.0f} ms "
          f"({options.tickets / exported:,.0f} resolutions/s)")
    print(f"baseline (raw SQL loop over the same rows): {raw * 1000:.0f} ms; export / baseline = {exported / raw:.1f}")


if __name__ == "__main__":
    main()
