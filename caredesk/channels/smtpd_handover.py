"""The SMTP receiver's side of its processing process: start it, hand it what was stored, start it again when
it dies; and the write turn both share. What runs inside that process is `processing_process.py`.

Processing runs in a process of its own so that receiving and processing use two CPUs instead of sharing
one (Python runs one thread at a time per process). The receiver's writing thread stores each group of
arrivals (group commit) and only then answers 250; it hands the stored ids, and the raw bytes of the small
ones, to the processing process through a pipe. That process parses them in its parser pool (`parsers.py`)
and processes them in batches (`inbound.process_batch`), beginning with whatever is stored and not
processed, so nothing waits on the pipe for its safety: a message is in the database before its 250, and a
processing process that starts again, after a crash or a kill, finds every message still `received`.

On SQLite both write to one database, which has one write lock, handed from writer to writer by the
database backend's kernel lock (`core/db/sqlite3/base.py`): a waiter is woken the moment it is released,
instead of sleeping 1, 2, 5, 10... ms in SQLite's busy handler. Storing goes first: while the receiver
waits to store, the processing process commits after the message it is on (once it has had the lock for
`processing_process.TURN_SECONDS`) and does not begin again until the receiver has stored, so a 250 waits for at
most one such slice.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import queue
import signal
import threading
import time
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Iterator

from django.conf import settings
from django.db import connection

from caredesk.core.supervision import Backoff, describe_exit

logger = logging.getLogger("caredesk.channels.processing")
STOP = None  # sent through the pipe: process what is stored, then exit (`processing_process.py` reads the pipe)
# The processing process's loop, named rather than imported: it imports models, which its process may only
# do after `django.setup()`, and it imports this module (STOP, WriteTurn).
PROCESSING_LOOP = "caredesk.channels.processing_process"
HANDOVER_MESSAGE_BYTES = 1024 * 1024  # a larger message is handed over as its id and read from the database
GIVE_WAY_SECONDS = 1.0  # the processing process waits at most this long for the receiver to store
IDLE_POLL_SECONDS = 1.0  # an idle receiver checks this often that the processing process is alive
HANDOVER_BACKLOG = 256  # hand-overs waiting to be sent beyond which raw bytes are no longer sent along


class WriteTurn:
    """Storing goes first. SQLite's write lock itself is handed from one writer to the next by the database
    backend's kernel lock (`core/db/sqlite3/base.py`), which wakes a waiter the moment the holder commits;
    this flag, shared by the receiver and the processing process, asks the processing process to commit and
    let the receiver in, and not to begin again while it stores. Handed to the processing process when it
    starts (the flag is shared memory).
    """

    def __init__(self, storer_waiting) -> None:
        self.storer_waiting = storer_waiting  # a shared byte: 1 while the storing thread waits or stores

    @classmethod
    def for_database(cls, context) -> WriteTurn | None:
        """A turn for the configured database; None unless it is SQLite (PostgreSQL locks rows, not the file)."""
        if connection.vendor != "sqlite":
            return None
        return cls(context.Value("b", 0, lock=False))

    @contextmanager
    def storing(self) -> Iterator[None]:
        self.storer_waiting.value = 1
        try:
            yield
        finally:
            self.storer_waiting.value = 0

    @contextmanager
    def processing(self) -> Iterator[None]:
        deadline = time.monotonic() + GIVE_WAY_SECONDS
        while self.storer_waiting.value and time.monotonic() < deadline:
            time.sleep(0.0005)  # until the receiver has stored; then the database's lock is free again
        yield

    def storer_is_waiting(self) -> bool:
        return bool(self.storer_waiting.value)


class ProcessingProcess:
    """The receiver's handle on its processing process: started with the receiver, started again if it dies.

    What is handed over goes through a sending thread, so storing never waits on a full pipe; while that
    thread is far behind, messages go as ids only and are read from the database.
    """

    def __init__(self) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.turn = WriteTurn.for_database(self.context)
        self.process: multiprocessing.Process | None = None
        self.pipe: Connection | None = None
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.sender = threading.Thread(target=self._send, name="smtpd-handover", daemon=True)
        self.backoff = Backoff(settings.SUPERVISOR_RESTART_SECONDS, settings.SUPERVISOR_RESTART_MAX_SECONDS,
                               settings.SUPERVISOR_STABLE_SECONDS)
        self.started_at = 0.0
        self.restart_at: float | None = None  # while the process is down: when it is started again

    def start(self) -> None:
        receiving, sending = self.context.Pipe(duplex=False)
        self.process = self.context.Process(target=run, args=(PROCESSING_LOOP, receiving, self.turn),
                                            name="smtpd-processing")
        self.process.start()
        self.started_at = time.monotonic()
        receiving.close()  # only the child reads: when it dies, sending fails instead of blocking
        self.pipe = sending
        if not self.sender.is_alive():
            self.sender.start()

    def submit(self, stored: list[tuple[int, bytes]]) -> None:
        """Hand over committed messages, (id, raw bytes). A large message, or one sent while the hand-over is far
        behind, goes as its id only."""
        behind = self.outbox.qsize() > HANDOVER_BACKLOG
        self.outbox.put([(inbound_id, len(raw), None if behind or len(raw) > HANDOVER_MESSAGE_BYTES else raw)
                         for inbound_id, raw in stored])

    def _send(self) -> None:
        while True:
            item = self.outbox.get()
            try:
                self.pipe.send(item)
            except OSError:  # the process died: the one started next reads these from the database
                pass
            if item is STOP:
                return

    def ensure_running(self) -> None:
        """Start the process again if it died, after a backoff; the new one processes everything still stored."""
        if self.process is None or self.process.is_alive():
            return
        now = time.monotonic()
        if self.restart_at is None:
            delay = self.backoff.delay(now - self.started_at)
            logger.error("the inbound processing process (pid %s) %s; starting it again in %.1fs", self.process.pid,
                         describe_exit(self.process.exitcode), delay)
            self.restart_at = now + delay
        if now >= self.restart_at:
            self.restart_at = None
            self.pipe.close()
            self.start()
            logger.warning("the inbound processing process started again (pid %s)", self.process.pid)

    def stop(self, timeout: float = 60) -> None:
        """Let the process finish what is stored, then exit."""
        if self.process is None:
            return
        self.outbox.put(STOP)
        self.sender.join(timeout)
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self.pipe.close()


def run(loop: str, pipe: Connection, turn: WriteTurn | None) -> None:
    """The processing process's main function: Django set up, then the loop of module `loop`."""
    import django

    # Ctrl-C reaches the whole process group: the receiver stops this process through the pipe instead,
    # once what is stored is processed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    django.setup()  # before anything imports a model: this module is imported while the child unpickles
    importlib.import_module(loop).ProcessingLoop(pipe, turn).run()
