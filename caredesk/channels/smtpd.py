"""The built-in SMTP receiver (aiosmtpd): 250 only once the raw message is committed to the database.

The event loop never touches the database. One writing thread commits the messages that arrived together
in one transaction (group commit), and only then are their SMTP answers written. `caredesk smtpd` processes
what was stored in a second process (`smtpd_handover.py`, `processing_process.py`), so receiving and
processing use two CPUs; a receiver built without one processes stored messages in the writing thread
between those commits, beginning with any backlog a crash left, while other processes parse the next ones
(`parsers.py`). A message over CAREDESK_EMAIL_MAX_BYTES gets 552 from aiosmtpd itself (SIZE is announced);
an empty one gets 554. Lines up to LINE_LENGTH_LIMIT bytes are accepted (aiosmtpd's default, RFC 5321's
1,000, refuses mail that real MTAs pass on).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import deque
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.db import close_old_connections, transaction

from caredesk.channels import actions, inbound, parsers, smtpd_handover
from caredesk.channels.models import InboundMessage
from caredesk.channels.parsers import Parsing
from caredesk.channels.smtpd_handover import ProcessingProcess
from caredesk.core import audit, heartbeats
from caredesk.core.errors import DomainError

logger = logging.getLogger("caredesk.channels.smtpd")
_STOP = object()
GROUP_COMMIT_MESSAGES = 64  # at most this many messages share one storing transaction
LINE_LENGTH_LIMIT = 1024 * 1024  # the longest line of a message (or command); the message size has its own limit
EMPTY_MESSAGE_ANSWER = "554 5.6.0 The message is empty; nothing was stored"


@dataclass
class _Arrival:
    raw: bytes = field(repr=False)
    sender: str
    recipients: list[str]
    stored: Future = field(default_factory=Future)  # the InboundMessage id, once committed


class StoringHandler:
    """aiosmtpd handler: accepts any recipient, and answers 250 once the writing thread committed the message."""

    def __init__(self, writer: Writer):
        self.writer = writer

    async def handle_DATA(self, server, session, envelope):
        sender = envelope.mail_from if envelope.mail_from not in (None, "<>") else ""
        if not envelope.original_content or envelope.original_content.isspace():
            return EMPTY_MESSAGE_ANSWER
        arrival = _Arrival(envelope.original_content, sender, list(envelope.rcpt_tos))
        self.writer.submit(arrival)
        try:
            inbound_id = await asyncio.wrap_future(arrival.stored)
        except DomainError as error:  # the message itself is refused: sending it again would not help
            return f"554 5.6.0 {error.detail}"
        except Exception:
            logger.exception("could not store a message from %s", sender or "<>")
            return "451 4.3.0 The message could not be stored; please try again later"
        return f"250 2.0.0 Stored as inbound message {inbound_id}"


class Writer(threading.Thread):
    """The receiver's only database writer.

    It commits the messages that arrived (all those waiting, in one transaction: group commit) and hands
    them to the processing process; or, without one, processes one batch of stored ones, and again:
    arrivals always go first, so an SMTP answer waits at most for one processing batch, and stored messages
    are parsed ahead, in the parser processes.
    """

    def __init__(self, processing: ProcessingProcess | None = None):
        super().__init__(name="smtpd-write", daemon=True)
        self.arrivals: queue.Queue = queue.Queue()
        self.processing = processing  # None: this thread also processes what it stored
        self.parsers = parsers.pool
        self.stored: deque[tuple[int, int, Parsing | None]] = deque()  # (id, size, parsing), in stored order
        self.stopping = False

    def submit(self, arrival: _Arrival) -> None:
        self.arrivals.put(arrival)

    def stop(self) -> None:
        self.arrivals.put(_STOP)

    def run(self) -> None:
        if self.processing is not None:
            self._store_only()
            return
        try:
            self.stored.extend((inbound_id, size, None) for inbound_id, size in InboundMessage.objects.filter(
                status=InboundMessage.Status.RECEIVED).order_by("id").values_list("pk", "size"))
        except Exception:  # the worker processes the backlog later; receiving must not wait for it
            logger.exception("could not read the backlog of stored messages")
        try:
            while not (self.stopping and not self.stored):
                arrived = self._arrived(wait=not self.stored)
                if arrived:
                    self._store(arrived)
                elif self.stored:
                    self._process(inbound.next_batch(self.stored))
                if self.arrivals.empty() and not self.stored:
                    close_old_connections()
        finally:
            self.parsers.shutdown()

    def _store_only(self) -> None:
        """Storing beside a processing process: store each group, hand it over, and watch that it runs."""
        while not self.stopping:
            arrived = self._arrived(wait=True, timeout=smtpd_handover.IDLE_POLL_SECONDS)
            if arrived:
                self._store(arrived)
            else:
                close_old_connections()
            self.processing.ensure_running()
            heartbeats.beat(heartbeats.SMTP_RECEIVER)

    def _arrived(self, *, wait: bool, timeout: float | None = None) -> list[_Arrival]:
        arrived: list[_Arrival] = []
        while not self.stopping and len(arrived) < GROUP_COMMIT_MESSAGES:
            try:
                arrival = self.arrivals.get(block=wait and not arrived, timeout=timeout)
            except queue.Empty:
                break
            if arrival is _STOP:
                self.stopping = True
            else:
                arrived.append(arrival)
        return arrived

    def _store(self, group: list[_Arrival]) -> None:
        # A client that hung up before its answer (aiosmtpd cancels the wait) is not stored: it sends again.
        self._commit([arrival for arrival in group if arrival.stored.set_running_or_notify_cancel()])

    def _commit(self, group: list[_Arrival]) -> None:
        try:
            with self._turn(), transaction.atomic(), audit.written_together():
                stored = [_store(arrival) for arrival in group]
        except Exception as error:
            if len(group) > 1:  # one bad message (empty, say) must not refuse the others
                for arrival in group:
                    self._commit([arrival])
                return
            group[0].stored.set_exception(error)
            return
        for arrival, inbound_id in zip(group, stored):
            arrival.stored.set_result(inbound_id)
        if self.processing is not None:
            self.processing.submit([(inbound_id, arrival.raw) for arrival, inbound_id in zip(group, stored)])
            return
        for arrival, inbound_id in zip(group, stored):
            self.stored.append((inbound_id, len(arrival.raw), self.parsers.submit(arrival.raw)))

    def _turn(self):
        """The database's write lock handed over by the kernel, when a processing process shares it."""
        turn = self.processing.turn if self.processing is not None else None
        return turn.storing() if turn is not None else nullcontext()

    def _process(self, batch: list[tuple[int, int, Parsing | None]]) -> None:
        parsed = {inbound_id: self.parsers.result(parsing) for inbound_id, _, parsing in batch if parsing is not None}
        try:
            inbound.process_batch([inbound_id for inbound_id, _, _ in batch], parsed)
        except Exception:  # process_batch records each message's failure; this is the database itself failing
            logger.exception("processing inbound messages %s failed; the worker will retry them",
                             [inbound_id for inbound_id, _, _ in batch])


class _LongLinesSMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _LongLinesSMTP(self.handler, **self.SMTP_kwargs)


def _store(arrival: _Arrival) -> int:
    return actions.store_inbound(arrival.raw, source=InboundMessage.Source.SMTP, envelope_sender=arrival.sender,
                                 envelope_recipients=arrival.recipients).pk


class SmtpReceiver:
    """The receiver and its writing thread: `start()`, then `stop()`.

    With `separate_processing`, stored messages are processed in a process of its own (`smtpd_handover.py`),
    so receiving and processing run on two CPUs; otherwise the writing thread processes them too (a receiver
    inside a test, whose database another process cannot open).
    """

    def __init__(self, *, host: str, port: int, max_bytes: int, separate_processing: bool = False):
        self.processing = ProcessingProcess() if separate_processing else None
        self.writer = Writer(self.processing)
        self.handler = StoringHandler(self.writer)
        self.controller = _Controller(self.handler, hostname=host, port=port, data_size_limit=max_bytes,
                                      server_hostname="caredesk", ident="caredesk ESMTP", enable_SMTPUTF8=True)

    def start(self) -> None:
        """Listen first: when the port is taken, this raises before any thread or process is started."""
        self.controller.start()
        if self.processing is not None:
            self.processing.start()
        self.writer.start()
        logger.info("SMTP receiver listening on %s:%s", self.controller.hostname, self.controller.port)

    def is_running(self) -> bool:
        """The storing thread and the SMTP server's event loop are both alive."""
        return self.writer.is_alive() and self.controller.loop.is_running()

    def stop(self) -> None:
        self.controller.stop()
        self.writer.stop()
        self.writer.join(timeout=60)
        if self.processing is not None:
            self.processing.stop()
