"""Real worker processes over the same due runs: every step exactly once, and nothing lost or doubled
when a worker is killed mid-sweep (DESIGN.md rule 4)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.slow
SCRIPT = str(Path(__file__).with_name("runner_process.py"))
ROOT = str(Path(__file__).resolve().parents[3])
DATABASE = "caredesk_runner_test"


@pytest.fixture
def database(tmp_path):
    """The environment of a throwaway database: PostgreSQL when the suite runs on it, else a SQLite file."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAREDESK_")}
    env.update(CAREDESK_HOME=str(tmp_path / "home"), PYTHONPATH=ROOT, DJANGO_SETTINGS_MODULE="caredesk.settings")
    url = os.environ.get("CAREDESK_TEST_DATABASE_URL")
    server = url.rsplit("/", 1)[0] + "/postgres" if url else None  # the maintenance database: it always exists
    if url:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {DATABASE}")
        env["CAREDESK_DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{DATABASE}"
    yield env
    if url:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def run(env, *args, timeout=300) -> str:
    result = subprocess.run([sys.executable, SCRIPT, *args], env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout


def report(env) -> dict:
    return json.loads(run(env, "report"))


def committed_tasks(env) -> int:
    """Tasks the sweeps have committed so far, read directly (fast enough to poll between batches)."""
    sql = "SELECT count(*) FROM playbooks_followuptask"
    if "CAREDESK_DATABASE_URL" in env:
        with psycopg.connect(env["CAREDESK_DATABASE_URL"]) as connection:
            return connection.execute(sql).fetchone()[0]
    with sqlite3.connect(Path(env["CAREDESK_HOME"]) / "caredesk.sqlite3", timeout=30) as connection:
        return connection.execute(sql).fetchone()[0]


@pytest.mark.skipif(not os.environ.get("CAREDESK_TEST_DATABASE_URL"),
                    reason="several workers at once claim with SKIP LOCKED on PostgreSQL; SQLite runs one worker")
def test_four_workers_step_ten_thousand_due_runs_exactly_once(database):
    run(database, "seed", "10000")
    workers = [subprocess.Popen([sys.executable, SCRIPT, "sweep"], env=database, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    stepped = []
    for worker in workers:
        output, errors = worker.communicate(timeout=600)
        assert worker.returncode == 0, errors
        stepped.append(int(output.strip()))
    assert sum(stepped) == 10000
    assert sum(1 for count in stepped if count > 0) >= 2, f"the work was not shared: {stepped}"
    assert report(database) == {
        "runs": 10000, "runs_still_due": 0, "day_three_tasks": 10000, "doubled_tasks": 0,
        "task_created_events": 10000, "runs_at_day_three": 10000,
    }


def test_a_worker_killed_mid_sweep_loses_and_doubles_nothing(database):
    run(database, "seed", "3000")
    worker = subprocess.Popen([sys.executable, SCRIPT, "sweep"], env=database, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and committed_tasks(database) == 0:
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    part = report(database)
    assert 0 < part["day_three_tasks"] < 3000, f"the kill did not land mid-sweep: {part}"
    assert part["day_three_tasks"] == part["task_created_events"] == part["runs_at_day_three"]

    run(database, "sweep")
    assert report(database) == {
        "runs": 3000, "runs_still_due": 0, "day_three_tasks": 3000, "doubled_tasks": 0,
        "task_created_events": 3000, "runs_at_day_three": 3000,
    }
