"""SLA clocks at 1,000,000 open tickets: the due-time sweep, breach lateness with the real worker, and the
Views page sorted by next breach.

Targets (issue 13): the sweep records at least 2,000 SLA warnings and breaches per second on SQLite; a sweep
with nothing due stays under 1 ms at p99; a breach is recorded within 60 s of its due time at p99 (the real
`caredesk worker`, default interval); the Views page sorted by next breach keeps p95 under 200 ms. Baselines
measured in the same run: a bare SQL claim-and-update loop over the same table, and the Views page sorted by
last update (the existing sort).

    .venv/bin/python -m benchmarks.sla_sweep [--tickets 1000000] [--due 20000] [--group-members 20] [--home DIR]

Every seeded ticket is assigned to one agent and in one of the shipped groups; `--group-members N` makes N
agents members of every group (the policy warns the group always, the default), so each sweep batch also
reads the members (one query) and notifies each member once with their list of warnings.

`--home DIR` keeps the seeded database in DIR and, when DIR already holds one, measures it without seeding
again (seeding a million tickets takes minutes).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.playbook_sweep import configure, measure_empty_sweeps, percentile, run_worker


def prepare(tickets: int, now: datetime, group_members: int):
    from django.core.management import call_command

    from benchmarks.seed import seed_sla_clocks, seed_tickets
    from caredesk.core import clock
    from caredesk.core.actions import create_agent
    from caredesk.core.audit import Actor
    from caredesk.desk.actions import set_group_members
    from caredesk.sla.models import SlaPolicy
    from caredesk.tickets.models import Group

    call_command("migrate", verbosity=0)
    agent = create_agent(username="bench", password="benchmark-password", check_password=False)
    members = [create_agent(username=f"member{index}", password=None, check_password=False)
               for index in range(group_members)]
    for group in Group.objects.all():
        set_group_members(group, actor=Actor.system("benchmark"), agents=members)
    with clock.frozen_at(now):
        seed_tickets(tickets, agents=[agent.pk], status="open")
        seed_sla_clocks(SlaPolicy.objects.get(key="standard").pk, now=now)
    return agent


def empty_sweep_cpu(at: datetime, sweep, repeats: int = 2000) -> list[float]:
    """The CPU time of each empty sweep (this process's own work, whatever else the machine runs)."""
    from caredesk.core import clock

    timings = []
    with clock.frozen_at(at):
        for _ in range(repeats):
            started = time.process_time()
            assert sweep() == 0
            timings.append(time.process_time() - started)
    return timings


def _first_ids(count: int) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT ticket_id FROM sla_ticketsla ORDER BY ticket_id LIMIT %s", [count])
        return [row[0] for row in cursor.fetchall()]


def make_due(ids: list[int], now: datetime, kind: str) -> None:
    """`kind` "warning": the warning is due a minute ago, the breach tomorrow; "breach": the breach is due a
    minute ago, the warning already given."""
    from django.db import connection, transaction

    past, later = now - timedelta(minutes=1), now + timedelta(days=1)
    warn_at, due_at, warned_at = (past, later, None) if kind == "warning" else (past, past, past)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tickets_ticketevent")
        for offset in range(0, len(ids), 5000):
            chunk = ids[offset:offset + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"UPDATE sla_slatarget SET warn_at = %s, due_at = %s, warned_at = %s, breached_at = NULL "
                           f"WHERE ticket_id IN ({marks})", [warn_at, due_at, warned_at, *chunk])
            cursor.execute(f"UPDATE sla_ticketsla SET next_due_at = %s, next_breach_at = %s WHERE ticket_id IN ({marks})",
                           [past, due_at, *chunk])


def notified(kind: str) -> str:
    """How many SLA warning notifications the warnings' sweep wrote (and to how many agents)."""
    if kind != "warning":
        return ""
    from caredesk.notifications.models import Notification

    rows = Notification.objects.filter(kind__key="sla_warning")
    return f"; {rows.count()} notifications to {rows.values('agent').distinct().count()} agents"


def timed_sweep(now: datetime) -> tuple[int, float, float]:
    from caredesk.core import clock
    from caredesk.sla.actions import sweep_due

    with clock.frozen_at(now):
        cpu, started = time.process_time(), time.perf_counter()
        handled = sweep_due()
        return handled, time.perf_counter() - started, time.process_time() - cpu


def bare_claim_and_update(now: datetime) -> tuple[int, float]:
    """The floor: claim due rows and push their due time, in batches of 500, in plain SQL."""
    from django.db import connection, transaction

    later = now + timedelta(days=1)
    handled, started = 0, time.perf_counter()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT ticket_id FROM sla_ticketsla WHERE next_due_at <= %s ORDER BY next_due_at LIMIT 500",
                           [now])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"UPDATE sla_ticketsla SET next_due_at = %s, computed_at = %s WHERE ticket_id IN ({marks})",
                           [later, now, *ids])
            handled += len(ids)
    return handled, time.perf_counter() - started


def breach_lateness(count: int, spread_seconds: float):
    """The real `caredesk worker` (default interval): `count` breaches fall due over `spread_seconds` of real
    time. Returns the lateness of each recorded breach (recorded at - due at) and the worker's RSS samples."""
    from django.db import connection, transaction

    from caredesk.sla.models import SlaTarget

    ids = _first_ids(count)
    with transaction.atomic(), connection.cursor() as cursor:  # only the breaches below come due
        cursor.execute("UPDATE sla_ticketsla SET next_due_at = %s", [datetime(2100, 1, 1, tzinfo=UTC)])
    now = datetime.now(UTC) + timedelta(seconds=15)  # the worker starts meanwhile; the first breach is due then
    due = {ticket_id: now + timedelta(seconds=spread_seconds * index / count) for index, ticket_id in enumerate(ids)}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("UPDATE sla_slatarget SET due_at = %s, warn_at = %s, warned_at = %s, breached_at = NULL "
                           "WHERE ticket_id = %s", [(at, at, at, ticket_id) for ticket_id, at in due.items()])
        cursor.executemany("UPDATE sla_ticketsla SET next_due_at = %s, next_breach_at = %s WHERE ticket_id = %s",
                           [(at, at, ticket_id) for ticket_id, at in due.items()])
    samples = run_worker(spread_seconds + 35)
    lateness = [(breached_at - due[ticket_id]).total_seconds() for ticket_id, breached_at in
                SlaTarget.objects.filter(ticket_id__in=ids, breached_at__isnull=False).values_list("ticket_id",
                                                                                                   "breached_at")]
    return lateness, samples, len(ids)


def page_timings(agent, query: dict, repeats: int) -> list[float]:
    from django.test import Client

    client = Client()
    client.force_login(agent)
    client.get("/views/", query)  # warm the caches
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get("/views/", query)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=20_000, help="warnings (then breaches) due at once")
    parser.add_argument("--group-members", type=int, default=20, help="members of every group (seeding only)")
    parser.add_argument("--lateness-breaches", type=int, default=5_000)
    parser.add_argument("--lateness-seconds", type=float, default=60.0)
    parser.add_argument("--page-repeats", type=int, default=100)
    parser.add_argument("--home", help="where the seeded database is kept (and reused when it is there)")
    options = parser.parse_args()

    home = Path(options.home) if options.home else Path(tempfile.mkdtemp(prefix="caredesk-bench-"))
    seeded = (home / "caredesk.sqlite3").exists()
    home.mkdir(parents=True, exist_ok=True)
    configure(home, None)
    now = datetime.now(UTC).replace(microsecond=0)
    if seeded:
        from django.core.management import call_command

        from caredesk.core.models import Agent
        from caredesk.sla.models import TicketSla

        call_command("migrate", verbosity=0)
        agent = Agent.objects.get(username="bench")
        print(f"SQLite: reusing {home} ({TicketSla.objects.count()} tickets with a running SLA clock)")
    else:
        seeding = time.perf_counter()
        agent = prepare(options.tickets, now, options.group_members)
        print(f"SQLite: seeded {options.tickets} open tickets with a running SLA clock each in "
              f"{time.perf_counter() - seeding:.0f}s")

    from caredesk.sla.actions import sweep_due

    empty = measure_empty_sweeps(now, sweep=sweep_due)
    cpu = empty_sweep_cpu(now, sweep_due)
    print(f"SLA sweep with nothing due: median {statistics.median(empty) * 1000:.3f} ms, "
          f"p99 {percentile(empty, 99) * 1000:.3f} ms over {len(empty)} sweeps "
          f"({'met' if percentile(empty, 99) < 0.001 else 'NOT met'}: < 1 ms); its CPU time median "
          f"{statistics.median(cpu) * 1000:.3f} ms, p99 {percentile(cpu, 99) * 1000:.3f} ms (what the load of "
          f"other processes on the machine does not add to)")

    ids = _first_ids(options.due)
    rates = {}
    for kind, plural in (("warning", "warnings"), ("breach", "breaches")):
        make_due(ids, now, kind)
        handled, elapsed, cpu = timed_sweep(now)
        rates[kind] = handled / elapsed
        print(f"one worker, {plural}: {handled} recorded in {elapsed:.2f}s = {rates[kind]:.0f}/s, "
              f"{cpu * 1000 / max(1, handled):.3f} ms of CPU each "
              f"({'met' if rates[kind] >= 2000 else 'NOT met'}: >= 2,000/s){notified(kind)}")
    make_due(ids, now, "breach")
    handled, bare_elapsed = bare_claim_and_update(now)
    bare = handled / bare_elapsed
    print(f"baseline bare SQL claim-and-update: {handled} rows in {bare_elapsed:.2f}s = {bare:.0f} rows/s; "
          f"warnings at {rates['warning'] / bare:.3f}x, breaches at {rates['breach'] / bare:.3f}x the bare rate")

    breach_sorted = page_timings(agent, {"status": "active", "sort": "breach", "dir": "asc"}, options.page_repeats)
    baseline = page_timings(agent, {"status": "active"}, options.page_repeats)
    soon = page_timings(agent, {"status": "active", "breach": "24h", "sort": "breach", "dir": "asc"},
                        options.page_repeats)
    for label, timings in (("sorted by next breach", breach_sorted), ("filtered to breaches within 24 h, sorted",
                                                                      soon)):
        print(f"Views page {label}: p50 {percentile(timings, 50) * 1000:.1f} ms, p95 "
              f"{percentile(timings, 95) * 1000:.1f} ms ({'met' if percentile(timings, 95) < 0.2 else 'NOT met'}: "
              f"p95 < 200 ms); baseline sorted by last update p95 {percentile(baseline, 95) * 1000:.1f} ms")

    lateness, samples, count = breach_lateness(options.lateness_breaches, options.lateness_seconds)
    if not lateness:
        raise SystemExit(f"the worker recorded none of the {count} breaches")
    print(f"real worker, default interval: {len(lateness)} of {count} breaches due over "
          f"{options.lateness_seconds:.0f}s recorded; lateness p50 {percentile(lateness, 50):.1f}s, "
          f"p99 {percentile(lateness, 99):.1f}s, max {max(lateness):.1f}s "
          f"({'met' if percentile(lateness, 99) < 60 else 'NOT met'}: p99 < 60 s); worker RSS max {max(samples):.0f} MB")


if __name__ == "__main__":
    main()
