"""The SQLite backend's write gate: one write transaction at a time, handed on at commit, rollback or close.

Runs on its own SQLite file whatever the test database is, since the gate only exists for file databases.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler

from caredesk.core.db.sqlite3 import base as gate_backend


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own databases, not the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def gated(tmp_path):
    """A connection handler for a fresh SQLite file through caredesk's backend, with one table."""
    handler = ConnectionHandler({"default": {
        "ENGINE": "caredesk.core.db.sqlite3", "NAME": str(tmp_path / "gate.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }})
    with handler["default"].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE log (what TEXT)")
    yield handler
    handler.close_all()


def _in_thread(handler, work):
    """Run `work(connection)` on a thread of its own (connections are per thread); returns the thread."""
    def run():
        try:
            work(handler["default"])
        finally:
            handler["default"].close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _rows(handler) -> list[str]:
    with handler["default"].cursor() as cursor:
        cursor.execute("SELECT what FROM log ORDER BY rowid")
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def write_transaction(connection):
    """What Django's outermost `atomic` does on this connection (it only drives the global handler's)."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        yield
    except BaseException:
        connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        if connection.connection is not None:
            connection.set_autocommit(True)


def insert(connection, what: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO log VALUES (%s)", [what])


def _hold_then(ending: str, entered: threading.Event, release: threading.Event):
    """A thread's work: write inside a transaction, wait to be released, then commit, roll back or close."""
    def work(connection):
        try:
            with write_transaction(connection):
                insert(connection, "first")
                entered.set()
                release.wait(10)
                if ending == "rollback":
                    raise RuntimeError("roll back")
                if ending == "close":
                    connection.close()
        except RuntimeError:
            pass
    return work


def _writer(handler, what: str) -> tuple[threading.Thread, threading.Event]:
    """A thread inserting `what` in a write transaction, and the event it sets once committed."""
    done = threading.Event()

    def write(connection):
        with write_transaction(connection):
            insert(connection, what)
        done.set()

    return _in_thread(handler, write), done


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_a_second_writer_waits_for_the_first_to_end_its_transaction(gated, ending):
    entered, release = threading.Event(), threading.Event()
    first = _in_thread(gated, _hold_then(ending, entered, release))
    assert entered.wait(10)

    waiting, second_done = _writer(gated, "second")
    assert not second_done.wait(0.3), "the second writer got in while the first held the write lock"
    release.set()
    first.join(10)
    waiting.join(10)
    assert second_done.is_set()
    assert _rows(gated) == (["first", "second"] if ending == "commit" else ["second"])


def test_a_killed_process_hands_the_gate_on(gated):
    """The kernel drops a dead process's lock: kill -9 inside a write transaction blocks nobody."""
    database = gated["default"].settings_dict["NAME"]
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({database!r} + '-writer', os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        writer, done = _writer(gated, "after")
        assert not done.wait(0.3)
        holder.kill()
        writer.join(10)
        assert done.is_set()
    finally:
        holder.kill()
        holder.wait()
    assert _rows(gated) == ["after"]


def test_an_in_memory_database_has_no_gate():
    handler = ConnectionHandler({"default": {"ENGINE": "caredesk.core.db.sqlite3", "NAME": ":memory:"}})
    connection = handler["default"]
    with write_transaction(connection):
        assert connection._gate_fd is None
    handler.close_all()


def test_the_log_is_checkpointed_into_the_database_after_handing_the_gate_on(gated, monkeypatch):
    """SQLite's own checkpoint is only a far-off backstop; the backend's passive one keeps the file current."""
    monkeypatch.setattr(gate_backend, "CHECKPOINT_EVERY", 10)
    connection = gated["default"]
    database = Path(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 10000
    size_before = database.stat().st_size
    for index in range(40):
        with write_transaction(connection):
            insert(connection, f"row {index} " + "x" * 4000)
    assert database.stat().st_size > size_before + 20 * 4000
