"""The reports at 1,000,000 tickets and 5,000,000 ticket events, on PostgreSQL.

Target (issue 18): each report answers in under 500 ms at p95 for a 90-day range; a CSV export of a year
streams with flat memory. The reports read the per-ticket facts (caredesk.analytics), which the worker
recomputes from each ticket's events when the ticket changes. Here the events are seeded in bulk and the facts
computed from them with the same pure code (`analytics.facts`); `rebuild` (the sweep's own path) is then timed
on a sample and its facts compared with the seeded ones. Each report is timed in-process (the API route calls
the same function). Baseline, in the same run: a raw SQL count of the facts in the range.

    .venv/bin/python -m benchmarks.reports [--tickets 1000000] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from benchmarks.harness import caredesk_env, run_cli

AGENTS = 50
BATCH = 20_000
RUNS = 15


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings) * 1000, timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))] * 1000


def _timed(function, runs: int = RUNS) -> tuple[float, float]:
    function()  # warm the caches, as a page read twice is
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return _percentiles(timings)


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a PostgreSQL table: 5,000,000 events in minutes rather than an hour of INSERTs."""
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _events_of(generator: random.Random, ticket_id: int, created, status: str, agent_id, now):
    """A ticket's events as the actions write them: created, the customer's email, the agent's internal note
    and answer, the solve, sometimes a reopen and a second solve, the auto-close (about 5 a ticket)."""
    from caredesk.analytics.facts import Event

    events = [Event("ticket.created", created, "customer", None, {"status": "new"}),
              Event("interaction.message", created + timedelta(minutes=1), "customer", None,
                    {"channel": "email", "direction": "inbound", "call_outcome": None, "has_call_notes": None})]
    answered = created + timedelta(minutes=generator.randint(10, 2 * 24 * 60))
    if answered < now and agent_id is not None:
        events += [Event("interaction.note", answered - timedelta(minutes=5), "agent", None,
                         {"channel": "internal", "direction": "internal", "call_outcome": None,
                          "has_call_notes": None}),
                   Event("interaction.message", answered, "agent", None,
                         {"channel": "email", "direction": "outbound", "call_outcome": None, "has_call_notes": None})]
        if status in ("solved", "closed"):
            solved = answered + timedelta(minutes=generator.randint(1, 24 * 60))
            events.append(Event("status.changed", solved, "agent", "open", "solved"))
            if generator.random() < 0.1:
                events += [Event("status.changed", solved + timedelta(hours=5), "customer", "solved", "open"),
                           Event("status.changed", solved + timedelta(hours=9), "agent", "open", "solved")]
                solved += timedelta(hours=9)
            if status == "closed":
                events.append(Event("status.changed", solved + timedelta(days=4), "system", "solved", "closed"))
        else:
            events.append(Event("status.changed", answered, "agent", "new", "open"))
    return events


def seed(tickets: int) -> None:
    from django.db import connection, transaction

    from benchmarks.seed import seed_tickets
    from caredesk.analytics import business, facts
    from caredesk.core import clock
    from caredesk.core.actions import create_agent

    agents = [create_agent(username=f"agent{index:03}", password="benchmark-password", check_password=False)
              for index in range(1, AGENTS + 1)]
    started = time.perf_counter()
    seed_tickets(tickets, agents=[agent.pk for agent in agents], customers=100_000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM tickets_category ORDER BY id")
        categories = [row[0] for row in cursor.fetchall()]
        cursor.execute("UPDATE tickets_ticket SET category_id = (ARRAY[%s])[1 + id %% %s]" % (
            ",".join(map(str, categories)), len(categories)))
    print(f"seeded {tickets} tickets in {time.perf_counter() - started:.0f}s")

    started, now, hours = time.perf_counter(), clock.now(), business.hours()
    generator = random.Random(5)
    event_count = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, created_at, status, assignee_id, group_id, category_id, channel, priority, "
                       "requester_id FROM tickets_ticket ORDER BY id")
        ticket_rows = cursor.fetchall()
    event_columns = ["ticket_id", "at", "actor_kind", "actor_label", "actor_id", "action", "field", "before",
                     "after"]
    fact_columns = ["ticket_id", "refreshed_at", "created_at", "status", "group_id", "assignee_id", "category_id",
                    "channel", "priority", "requester_id", "first_response_at", "first_response_seconds",
                    "first_response_business_seconds", "first_solved_at", "resolution_seconds",
                    "resolution_business_seconds", "first_reopened_at", "reopen_count", "agent_replies", "one_touch"]
    import json

    for offset in range(0, len(ticket_rows), BATCH):
        event_rows, fact_rows = [], []
        for ticket_id, created, status, agent_id, group_id, category_id, channel, priority, requester_id in \
                ticket_rows[offset:offset + BATCH]:
            events = _events_of(generator, ticket_id, created, status, agent_id, now)
            for event in events:
                event_rows.append((ticket_id, event.at, event.actor_kind, "seed",
                                   agent_id if event.actor_kind == "agent" else None, event.action,
                                   "status" if event.action == "status.changed" else "",
                                   json.dumps(event.before), json.dumps(event.after)))
            found = facts.facts_of(events)
            fact_rows.append((
                ticket_id, now, found.created_at, status, group_id, agent_id, category_id, channel, priority,
                requester_id, found.first_response_at, facts.elapsed(created, found.first_response_at),
                facts.elapsed(created, found.first_response_at, hours.seconds_between), found.first_solved_at,
                facts.elapsed(created, found.first_solved_at),
                facts.elapsed(created, found.first_solved_at, hours.seconds_between), found.first_reopened_at,
                found.reopen_count, found.agent_replies, found.one_touch))
        with transaction.atomic():
            _copy("tickets_ticketevent", event_columns, event_rows)
            _copy("analytics_ticketfacts", fact_columns, fact_rows)
        event_count += len(event_rows)
    print(f"seeded {event_count} ticket events and {len(ticket_rows)} ticket facts in "
          f"{time.perf_counter() - started:.0f}s")
    _seed_answers(generator, ticket_rows, now)
    _vacuum()


def _vacuum() -> None:
    """VACUUM ANALYZE, as autovacuum would after a bulk load: statistics, and the visibility map."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _seed_answers(generator: random.Random, ticket_rows: list, now) -> None:
    """Survey answers on 15% of the tickets, NPS answers of 20,000 customers, clarifications on 1%."""
    from django.db import connection, transaction

    from benchmarks.seed import _insert

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM surveys_badratingreason")
        reasons = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id, category FROM clarifications_subcategory")
        subs = cursor.fetchall()
    surveys, clarifications, nps = [], [], []
    for ticket_id, created, status, agent_id, group_id, _, _, _, requester_id in ticket_rows:
        rated = created + timedelta(days=2)
        if rated >= now:
            continue
        draw = generator.random()
        if draw < 0.15 and status in ("solved", "closed"):
            bad = generator.random() < 0.2
            surveys.append((ticket_id, "sent", created, agent_id, group_id, "", created + timedelta(days=1),
                            created + timedelta(days=29), "bad" if bad else "good",
                            generator.choice(reasons) if bad else None, "Seeded comment." if bad else "", rated,
                            created, rated))
        if draw > 0.99 and agent_id is not None:
            sub_id, category = generator.choice(subs)
            clarifications.append((ticket_id, agent_id, category, sub_id, "Seeded clarification.", rated))
        if 0.5 < draw < 0.52:
            nps.append((requester_id, ticket_id, rated, rated + timedelta(days=28), generator.randint(0, 10), "",
                        rated))
    with transaction.atomic():
        _insert("surveys_survey", ["ticket_id", "status", "solved_at", "agent_id", "group_id", "skipped_reason",
                                   "sent_at", "expires_at", "rating", "reason_id", "comment", "rated_at",
                                   "created_at", "updated_at"], surveys)
        _insert("clarifications_clarification", ["ticket_id", "agent_id", "category", "sub_category_id", "details",
                                                 "created_at"], clarifications)
        _insert("surveys_npssurvey", ["customer_id", "ticket_id", "sent_at", "expires_at", "score", "comment",
                                      "answered_at"], nps)
    print(f"seeded {len(surveys)} survey answers, {len(nps)} NPS answers, {len(clarifications)} clarifications")


def _describe_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = []
        for table in ("tickets_ticket", "tickets_ticketevent", "analytics_ticketfacts", "surveys_survey"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts.append(f"{cursor.fetchone()[0]} {table}")
    print(f"database: {', '.join(counts)}; load average {os.getloadavg()[0]:.1f}")


def check_rebuild(sample: int) -> None:
    """Recompute `sample` tickets' facts with the sweep's own code and compare them with the seeded ones."""
    from caredesk.analytics.actions import rebuild
    from caredesk.analytics.models import TicketFacts
    from caredesk.tickets.models import Ticket

    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[sample - 1]
    compared = ["first_response_seconds", "first_response_business_seconds", "resolution_seconds",
                "resolution_business_seconds", "reopen_count", "agent_replies", "one_touch", "first_solved_at"]
    before = {row[0]: row[1:] for row in TicketFacts.objects.filter(pk__gte=last).values_list("pk", *compared)}
    started = time.perf_counter()
    done = rebuild(Ticket.objects.get(pk=last).created_at)
    seconds = time.perf_counter() - started
    after = {row[0]: row[1:] for row in TicketFacts.objects.filter(pk__gte=last).values_list("pk", *compared)}
    differing = sum(1 for key in before if before[key] != after.get(key))
    print(f"rebuild: {done} tickets' facts recomputed from their events in {seconds:.1f}s "
          f"({done / seconds:.0f} tickets/s); {differing} differ from the seeded facts")


def measure_reports(days: int) -> None:
    from django.db import connection

    from caredesk.analytics import reports
    from caredesk.core import clock
    from caredesk.core.models import Agent
    from caredesk.tickets.models import Group

    until = clock.now().date()
    chosen = reports.filters(since=until - timedelta(days=days - 1), until=until)

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM analytics_ticketfacts WHERE created_at >= %s AND created_at < %s",
                           [chosen.start, chosen.end])
            cursor.fetchone()

    base50, base95 = _timed(baseline)
    print(f"baseline (raw SQL count of the facts in {days} days): p50 {base50:.1f} ms, p95 {base95:.1f} ms")
    agent = Agent.objects.get(username="agent001")
    group = Group.objects.order_by("pk").first()
    worst = 0.0
    for label, given in (("", chosen), (" (one agent)", reports.filters(since=chosen.since, until=until,
                                                                         agent=agent.pk)),
                         (" (one group)", reports.filters(since=chosen.since, until=until, group=group.pk))):
        for key in reports.REPORTS:
            p50, p95 = _timed(lambda: reports.report(key, given))
            worst = max(worst, p95)
            print(f"report {key}{label}, {days} days: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                  f"({p95 / base95:.1f}x the baseline p95)")
    print(f"worst report p95 {worst:.1f} ms ({'met' if worst < 500 else 'NOT met'}: p95 < 500 ms); "
          f"load average {os.getloadavg()[0]:.1f}")


def compare_index_only(days: int) -> None:
    """Each report with index-only scans allowed and forbidden, alternated run by run in one session (so the
    machine's load weighs on both alike). Sequential scans are off: a 90-day range is 13% of 1,000,000 tickets,
    where the planner reads the range's index, but 65% of 200,000, where it would read the whole table."""
    from django.db import connection

    from caredesk.analytics import reports
    from caredesk.core import clock
    from caredesk.tickets.models import Group

    until = clock.now().date()
    since = until - timedelta(days=days - 1)
    group = Group.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for label, chosen in (("", reports.filters(since=since, until=until)),
                              (" (one group)", reports.filters(since=since, until=until, group=group.pk))):
            for key in ("volume", "backlog", "one_touch", "response_times", "categories", "tags", "customers"):
                timings: dict[str, list[float]] = {"on": [], "off": []}
                for run in range(RUNS + 1):
                    for setting in ("on", "off"):
                        cursor.execute(f"SET enable_indexonlyscan = {setting}")
                        started = time.perf_counter()
                        reports.report(key, chosen)
                        if run:  # the first round warms the caches
                            timings[setting].append(time.perf_counter() - started)
                (on50, on95), (off50, off95) = _percentiles(timings["on"]), _percentiles(timings["off"])
                print(f"report {key}{label}, {days} days: index-only p50 {on50:.1f} ms, p95 {on95:.1f} ms; "
                      f"forbidden p50 {off50:.1f} ms, p95 {off95:.1f} ms")
        cursor.execute("RESET enable_indexonlyscan; RESET enable_seqscan")
    print(f"load average {os.getloadavg()[0]:.1f}")


def measure_csv() -> None:
    from caredesk.analytics import reports
    from caredesk.core import clock

    class Sink:
        def write(self, value):
            return len(value)

    until = clock.now().date()
    for days in (30, 365):
        chosen = reports.filters(since=until - timedelta(days=days - 1), until=until)
        writer = csv.writer(Sink())
        tracemalloc.start()
        started, rows = time.perf_counter(), 0
        for row in reports.ticket_rows(chosen):
            writer.writerow(row)
            rows += 1
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tickets.csv of {days} days: {rows} rows in {seconds:.1f}s (traced), peak Python memory "
              f"{peak / 1024 / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "CAREDESK_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/caredesk_bench_reports"))
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rebuild-sample", type=int, default=10_000)
    parser.add_argument("--skip-csv", action="store_true", help="leave out the CSV exports (minutes when traced)")
    parser.add_argument("--measure-only", action="store_true",
                        help="measure a database an earlier run seeded (--database-url) without seeding it again")
    parser.add_argument("--compare-index-only", action="store_true",
                        help="on a seeded database: the reports with and without index-only scans, alternated")
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="caredesk-bench-"))
    env = caredesk_env(home, options.database_url)
    if not options.measure_only:
        run_cli(env, "init", "--no-input")
    os.environ.update({key: value for key, value in env.items() if key.startswith(("CAREDESK_", "DJANGO_"))})
    import django

    django.setup()
    if not options.measure_only:
        seed(options.tickets)
    else:
        _vacuum()
    if options.compare_index_only:
        compare_index_only(options.days)
        return
    _describe_database()
    check_rebuild(options.rebuild_sample)
    measure_reports(options.days)
    if not options.skip_csv:
        measure_csv()


if __name__ == "__main__":
    main()
