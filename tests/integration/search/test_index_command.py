"""`caredesk search-index` finishes the index (CREATE INDEX, FTS5's optimize) on a connection of its own, so that
Ctrl-C or SIGTERM interrupt the statement running instead of waiting minutes for it to end."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from caredesk.search.cli import _interruptible

pytestmark = pytest.mark.django_db(transaction=True)


def long_statement() -> None:
    """About a minute on either database, unless interrupted."""
    from django.db import connection as own  # the worker thread's connection

    with own.cursor() as cursor:
        if own.vendor == "postgresql":
            cursor.execute("SELECT pg_sleep(60)")
        else:
            cursor.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
                           "SELECT count(*) FROM n")


def test_a_stop_interrupts_the_statement_running():
    stopping: list = []
    threading.Timer(0.5, stopping.append, [True]).start()
    started = time.monotonic()
    assert _interruptible(long_statement, stopping) is False
    assert time.monotonic() - started < 20  # not the minute the statement would take
    with connection.cursor() as cursor:  # this thread's connection is untouched
        cursor.execute("SELECT 1")


def test_without_a_stop_the_work_runs_to_its_end():
    ran = []
    assert _interruptible(lambda: ran.append(connection.vendor), []) is True and ran


def test_an_error_that_is_not_a_stop_is_raised():
    def broken() -> None:
        from django.db import connection as own

        with own.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    with pytest.raises(Exception, match="no_such_table"):
        _interruptible(broken, [])
