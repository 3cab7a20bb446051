"""The playbook sweep with 1,000,000 tickets under a running follow-up.

Targets (issue 4): a sweep with nothing due under 1 ms; at least 2,000 due steps applied per second by
one worker on SQLite; on PostgreSQL two workers at least 1.5x one; follow-up lateness p99 under 60 s
with the default sweep interval; worker memory under 200 MB RSS throughout. The baseline is a bare SQL
claim-and-update loop over the same table in the same run.

    .venv/bin/python -m benchmarks.playbook_sweep [--tickets 1000000] [--due 20000]
    .venv/bin/python -m benchmarks.playbook_sweep --database postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DATABASE = "caredesk_bench"


def configure(home: Path, database_url: str | None) -> None:
    os.environ["CAREDESK_HOME"] = str(home)
    os.environ["CAREDESK_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "caredesk.settings"
    if database_url:
        os.environ["CAREDESK_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CAREDESK_DATABASE_URL", None)
    import django

    django.setup()


def fresh_postgres(url: str) -> str:
    """A dedicated database next to the given one, recreated for this run."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"


def prepare(tickets: int, due: int, start: datetime):
    """Migrate, seed `tickets` pending tickets each with a running general follow-up started at `start`;
    `due` of them are due (their day-2 step has come), the rest are due in 30 days."""
    from django.core.management import call_command

    from benchmarks.seed import seed_runs, seed_tickets
    from caredesk.core import clock
    from caredesk.core.actions import create_agent
    from caredesk.playbooks import engine, registry

    call_command("migrate", verbosity=0)
    agent = create_agent(username="bench", password="benchmark-password", check_password=False)
    playbook = registry.latest_versions(registry.available_playbooks())["general_inquiry_follow_up"]
    definition = registry.definition_for(playbook)
    facts = engine.TicketFacts(ticket_type="general_inquiry", customer_emails=("cx@example.com",))
    state = engine.state_to_dict(engine.start(playbook, facts, start).state)
    with clock.frozen_at(start):
        seed_tickets(tickets, agents=[agent.pk], status="pending")
        seed_runs(definition.pk, state, due_at=datetime.fromisoformat(state["next_due_at"]),
                  not_due_at=datetime(2100, 1, 1, tzinfo=UTC), due_count=due)
    return playbook, definition


def day_start(playbook, start, day):
    """An hour into business day `day` of a run started at `start`."""
    return playbook.days.day_start(start, day) + timedelta(hours=1)


def measure_empty_sweeps(at: datetime, repeats: int = 2000, sweep=None) -> list[float]:
    """Timings of `sweep` (the playbook runner's by default) with nothing due at `at`."""
    from caredesk.core import clock
    from caredesk.playbooks import runner

    sweep = sweep or runner.sweep
    timings = []
    with clock.frozen_at(at):
        for _ in range(repeats):
            started = time.perf_counter()
            assert sweep() == 0
            timings.append(time.perf_counter() - started)
    return timings


def make_due_again(due: int, due_at: datetime, state_text: str) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM playbooks_playbookrun ORDER BY id LIMIT %s", [due])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM playbooks_followuptask")
        cursor.execute("DELETE FROM tickets_ticketevent")
        for offset in range(0, len(ids), 5000):
            chunk = ids[offset:offset + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"UPDATE playbooks_playbookrun SET next_due_at = %s, state = %s, status = 'running' "
                           f"WHERE id IN ({marks})", [due_at, state_text, *chunk])


def sweep_worker(at: datetime, results) -> None:
    """One worker process: sweep until nothing is due at `at`; report the steps it applied."""
    from django.db import connections

    connections.close_all()
    from caredesk.core import clock
    from caredesk.playbooks.runner import sweep_all

    with clock.frozen_at(at):
        cpu = time.process_time()
        stepped = sweep_all(batch_size=500)
        results.put((stepped, time.process_time() - cpu))


def timed_workers(count: int, at: datetime) -> tuple[int, float, float]:
    """(steps applied, seconds of wall time, seconds of the workers' CPU time: SQLite works in the worker's
    process, so on SQLite this is all the work, which other jobs on the machine move less than the rate)."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=sweep_worker, args=(at, results)) for _ in range(count)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    reports = [results.get() for _ in processes]
    for process in processes:
        process.join()
    return sum(stepped for stepped, _ in reports), time.perf_counter() - started, sum(cpu for _, cpu in reports)


def bare_claim_and_update(due: int, now: datetime) -> tuple[int, float]:
    """The floor: claim due rows and push their due time, in batches of 500, in plain SQL."""
    from django.db import connection, transaction

    later = now + timedelta(days=1)
    handled, started = 0, time.perf_counter()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM playbooks_playbookrun WHERE status = 'running' AND next_due_at <= %s "
                           "ORDER BY next_due_at LIMIT 500", [now])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"UPDATE playbooks_playbookrun SET next_due_at = %s, updated_at = %s "
                           f"WHERE id IN ({marks})", [later, now, *ids])
            handled += len(ids)
    return handled, time.perf_counter() - started


def lateness_and_memory(playbook, runs: int, spread_seconds: float):
    """The real `caredesk worker` (default interval) on the seeded database; `runs` follow-ups come due
    spread over `spread_seconds` of real time. Returns lateness seconds and the worker's RSS samples."""
    from django.db import connection, transaction

    from caredesk.core import clock
    from caredesk.playbooks import engine

    now = clock.now()
    facts = engine.TicketFacts(ticket_type="general_inquiry", customer_emails=("cx@example.com",))
    state = json.dumps(engine.state_to_dict(engine.start(playbook, facts, now).state))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE playbooks_playbookrun SET next_due_at = %s WHERE status = 'running'",
                       [datetime(2100, 1, 1, tzinfo=UTC)])  # only the runs below come due
        cursor.execute("SELECT id FROM playbooks_playbookrun ORDER BY id DESC LIMIT %s", [runs])
        ids = [row[0] for row in cursor.fetchall()]
        due = {run_id: now + timedelta(seconds=spread_seconds * index / runs) for index, run_id in enumerate(ids)}
        for run_id, at in due.items():
            cursor.execute("UPDATE playbooks_playbookrun SET next_due_at = %s, state = %s, status = 'running' "
                           "WHERE id = %s", [at, state, run_id])
    samples = run_worker(spread_seconds + 15)
    from caredesk.playbooks.models import PlaybookRun

    lateness = [(updated_at - due[run_id]).total_seconds()
                for run_id, updated_at in PlaybookRun.objects.filter(pk__in=ids).values_list("pk", "updated_at")]
    processed = [seconds for seconds in lateness if seconds >= 0]  # updated_at before due: never stepped
    return processed, samples, len(ids)


def run_worker(seconds: float) -> list[float]:
    """The real `caredesk worker` (default interval) for `seconds`; returns its RSS samples (MB)."""
    caredesk = str(Path(sys.executable).with_name("caredesk"))
    worker = subprocess.Popen([caredesk, "worker"], env=dict(os.environ), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and worker.poll() is None:
        samples.append(rss_megabytes(worker.pid))
        time.sleep(0.5)
    if worker.poll() is not None:
        raise SystemExit(f"the worker exited early ({worker.returncode}): {worker.stderr.read()}")
    worker.terminate()
    worker.wait(timeout=60)
    return samples


def rss_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=20_000, help="runs due at once for the throughput figures")
    parser.add_argument("--database", help="a postgresql:// URL; a database named caredesk_bench is made beside it")
    parser.add_argument("--lateness-runs", type=int, default=5_000)
    parser.add_argument("--lateness-seconds", type=float, default=60.0)
    options = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="caredesk-bench-"))
    database_url = fresh_postgres(options.database) if options.database else None
    configure(home, database_url)
    kind = "PostgreSQL" if database_url else "SQLite"
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday
    seeding = time.perf_counter()
    playbook, _ = prepare(options.tickets, options.due, start)
    print(f"{kind}: seeded {options.tickets} tickets with running follow-ups in {time.perf_counter() - seeding:.0f}s")

    before_day_two = start + timedelta(hours=2)
    empty = measure_empty_sweeps(before_day_two)
    print(f"sweep with nothing due: median {statistics.median(empty) * 1000:.3f} ms, "
          f"p99 {percentile(empty, 99) * 1000:.3f} ms over {len(empty)} sweeps "
          f"({'met' if percentile(empty, 99) < 0.001 else 'NOT met'}: < 1 ms)")

    from caredesk.playbooks import engine

    facts = engine.TicketFacts(ticket_type="general_inquiry", customer_emails=("cx@example.com",))
    started = engine.start(playbook, facts, start).state
    tick = engine.Event("tick")
    after_day_two = engine.decide(playbook, started, facts, tick, day_start(playbook, start, 2)).state
    after_day_five = engine.decide(playbook, started, facts, tick, day_start(playbook, start, 5)).state
    phases = [  # (what the step does, the state before it, when the sweep runs, steps of this kind per cadence)
        ("no action needed (days 2, 4)", started, day_start(playbook, start, 2), 2),
        ("attempt: last one marked missed, new task (days 3, 5)", after_day_two, day_start(playbook, start, 3), 2),
        ("end: note, group, assignee, solved (day 6)", after_day_five, day_start(playbook, start, 6), 1),
    ]
    rates, cpu_per_step = {}, {}
    for label, state, at, _ in phases:
        make_due_again(options.due, state.next_due_at, json.dumps(engine.state_to_dict(state)))
        stepped, elapsed, cpu = timed_workers(1, at)
        rates[label] = stepped / elapsed
        cpu_per_step[label] = cpu * 1000 / max(1, stepped)
        print(f"one worker, {label}: {stepped} steps in {elapsed:.2f}s = {rates[label]:.0f} steps/s, "
              f"{cpu_per_step[label]:.3f} ms of CPU a step")
    cadence_steps = sum(count for *_, count in phases)
    mixed = cadence_steps / sum(count / rates[label] for label, _, _, count in phases)
    mixed_cpu = sum(count * cpu_per_step[label] for label, _, _, count in phases) / cadence_steps
    print(f"one worker, the mix of a whole cadence (2 no-action, 2 attempt, 1 end step): {mixed:.0f} steps/s "
          f"({'met' if mixed >= 2000 else 'NOT met'}: >= 2,000 steps/s), {mixed_cpu:.3f} ms of CPU a step "
          f"= {1000 / mixed_cpu:.0f} steps/s of one core")
    attempt_label, attempt_state, attempt_at, _ = phases[1]
    make_due_again(options.due, attempt_state.next_due_at, json.dumps(engine.state_to_dict(attempt_state)))
    handled, bare_elapsed = bare_claim_and_update(options.due, attempt_at)
    bare = handled / bare_elapsed
    print(f"baseline bare SQL claim-and-update: {handled} rows in {bare_elapsed:.2f}s = {bare:.0f} rows/s; "
          f"an attempt step runs at {rates[attempt_label] / bare:.3f}x, the cadence mix at {mixed / bare:.3f}x "
          f"the bare loop's rate")
    if database_url:
        make_due_again(options.due, attempt_state.next_due_at, json.dumps(engine.state_to_dict(attempt_state)))
        stepped, elapsed, _ = timed_workers(2, attempt_at)
        two_workers = stepped / elapsed
        ratio = two_workers / rates[attempt_label]
        print(f"two workers, attempt steps: {stepped} in {elapsed:.2f}s = {two_workers:.0f} steps/s = {ratio:.2f}x "
              f"one worker ({'met' if ratio >= 1.5 else 'NOT met'}: >= 1.5x)")

    lateness, samples, runs = lateness_and_memory(playbook, options.lateness_runs, options.lateness_seconds)
    if not lateness:
        raise SystemExit(f"the worker stepped none of the {runs} follow-ups in time")
    print(f"real worker, default interval: {len(lateness)} of {runs} follow-ups due over {options.lateness_seconds:.0f}s "
          f"stepped; lateness "
          f"p50 {percentile(lateness, 50):.1f}s, p99 {percentile(lateness, 99):.1f}s, max {max(lateness):.1f}s "
          f"({'met' if percentile(lateness, 99) < 60 else 'NOT met'}: p99 < 60 s)")
    print(f"worker RSS: min {min(samples):.0f} MB, max {max(samples):.0f} MB over {len(samples)} samples "
          f"({'met' if max(samples) < 200 else 'NOT met'}: < 200 MB)")


if __name__ == "__main__":
    main()
