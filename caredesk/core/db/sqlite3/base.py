"""Django's SQLite backend, with write transactions handed from one connection to the next by a kernel lock.

SQLite lets one connection write at a time. A connection that finds the write lock taken waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10... ms between retries: under concurrent writes most of the time goes
to those sleeps, while the lock is free. Here every write transaction (Django's `BEGIN IMMEDIATE`) first
takes an exclusive `flock` on a file beside the database, which the kernel hands to the next waiter the
moment the holder commits or rolls back, across threads and processes. A process that dies releases it.

SQLite's automatic checkpoint (copying the write-ahead log back into the database, with an fsync) runs
inside the COMMIT call that crosses its threshold, so it would hold the gate for that long. Connections
here run a passive checkpoint themselves every CHECKPOINT_EVERY commits of the process, after handing the
gate on, while writers go on; SQLite's own is kept only as a backstop, at ten times its usual threshold,
for writes outside transactions.
"""

from __future__ import annotations

import fcntl
import itertools
import os

from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 100
_commits = itertools.count(1)


class DatabaseWrapper(base.DatabaseWrapper):
    _gate_fd: int | None = None
    _gate_held = False

    def _gate_acquire(self) -> None:
        if self.is_in_memory_db():
            return
        if self._gate_fd is None:
            self._gate_fd = os.open(f"{self.settings_dict['NAME']}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._gate_fd, fcntl.LOCK_EX)
        self._gate_held = True

    def _gate_release(self) -> None:
        if self._gate_held:
            self._gate_held = False
            fcntl.flock(self._gate_fd, fcntl.LOCK_UN)

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            connection.execute("PRAGMA wal_autocheckpoint=10000")
        return connection

    def _start_transaction_under_autocommit(self):
        self._gate_acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._gate_release()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._gate_release()
        if next(_commits) % CHECKPOINT_EVERY == 0 and not self.is_in_memory_db():
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._gate_release()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._gate_release()
            if self._gate_fd is not None:
                os.close(self._gate_fd)
                self._gate_fd = None
