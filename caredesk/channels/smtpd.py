"""The built-in SMTP receiver (aiosmtpd): 250 only once the raw message is committed to the database.

The event loop never touches the database. One storing thread commits messages, the ones that arrived
together in one transaction (group commit), and only then are their SMTP answers written. Stored messages
are parsed ahead in other processes (`parsers.py`) while one processing thread writes them onto tickets,
several per transaction, beginning with any backlog a crash left. A message over CAREDESK_EMAIL_MAX_BYTES
gets 552 from aiosmtpd itself (SIZE is announced).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from django.db import close_old_connections, transaction

from caredesk.channels import actions, inbound
from caredesk.channels.models import InboundMessage
from caredesk.channels.parsers import ParserPool

logger = logging.getLogger("caredesk.channels.smtpd")
_STOP = object()
GROUP_COMMIT_MESSAGES = 64  # at most this many messages share one storing transaction


@dataclass
class _Arrival:
    raw: bytes = field(repr=False)
    sender: str
    recipients: list[str]
    stored: Future = field(default_factory=Future)  # the InboundMessage id, once committed


class StoringHandler:
    """aiosmtpd handler: accepts any recipient, and answers 250 once the storing thread committed the message."""

    def __init__(self, storer: Storer):
        self.storer = storer

    async def handle_DATA(self, server, session, envelope):
        sender = envelope.mail_from if envelope.mail_from not in (None, "<>") else ""
        arrival = _Arrival(envelope.original_content, sender, list(envelope.rcpt_tos))
        self.storer.submit(arrival)
        try:
            inbound_id = await asyncio.wrap_future(arrival.stored)
        except Exception:
            logger.exception("could not store a message from %s", sender or "<>")
            return "451 4.3.0 The message could not be stored; please try again later"
        return f"250 2.0.0 Stored as inbound message {inbound_id}"


class Storer(threading.Thread):
    """Commits arrived messages: all those waiting when it is free go in one transaction (group commit)."""

    def __init__(self, processor: Processor):
        super().__init__(name="smtpd-store", daemon=True)
        self.processor = processor
        self.arrivals: queue.Queue = queue.Queue()

    def submit(self, arrival: _Arrival) -> None:
        self.arrivals.put(arrival)

    def stop(self) -> None:
        self.arrivals.put(_STOP)

    def run(self) -> None:
        while (first := self.arrivals.get()) is not _STOP:
            group = [first]
            while len(group) < GROUP_COMMIT_MESSAGES and not self.arrivals.empty():
                arrival = self.arrivals.get_nowait()
                if arrival is _STOP:
                    self.arrivals.put(_STOP)
                    break
                group.append(arrival)
            self._store(group)
            if self.arrivals.empty():
                close_old_connections()

    def _store(self, group: list[_Arrival]) -> None:
        try:
            with transaction.atomic():
                stored = [_store(arrival) for arrival in group]
        except Exception as error:
            if len(group) > 1:  # one bad message (empty, say) must not refuse the others
                for arrival in group:
                    self._store([arrival])
                return
            group[0].stored.set_exception(error)
            return
        for arrival, inbound_id in zip(group, stored):
            arrival.stored.set_result(inbound_id)
            self.processor.submit(inbound_id, arrival.raw)


def _store(arrival: _Arrival) -> int:
    return actions.store_inbound(arrival.raw, source=InboundMessage.Source.SMTP, envelope_sender=arrival.sender,
                                 envelope_recipients=arrival.recipients).pk


class Processor(threading.Thread):
    """Processes stored messages in the order they were stored, several per transaction."""

    def __init__(self):
        super().__init__(name="smtpd-process", daemon=True)
        self.pending: queue.Queue = queue.Queue()
        self.parsers = ParserPool()
        self._next: tuple | None = None  # taken from the queue but left for the next batch

    def submit(self, inbound_id: int, raw: bytes | None = None) -> None:
        """Queue a stored message; with its raw bytes it is parsed ahead, in another process."""
        size = len(raw) if raw is not None else 0
        self.pending.put((inbound_id, size, self.parsers.submit(raw) if raw is not None else None))

    def stop(self) -> None:
        self.pending.put(_STOP)

    def run(self) -> None:
        for inbound_id, size in InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED) \
                .order_by("id").values_list("pk", "size"):
            self.pending.put((inbound_id, size, None))
        try:
            while (batch := self._next_batch()) is not None:
                self._process(batch)
                if self.pending.empty():
                    close_old_connections()
        finally:
            self.parsers.shutdown()

    def _next_batch(self) -> list[tuple[int, int, Future | None]] | None:
        """The first waiting message, and those behind it within the batch limits."""
        first, self._next = self._next or self.pending.get(), None
        if first is _STOP:
            return None
        batch, total = [first], first[1]
        while len(batch) < inbound.BATCH_MESSAGES and not self.pending.empty():
            item = self.pending.get_nowait()
            if item is _STOP or total + item[1] > inbound.BATCH_BYTES:
                self._next = item
                break
            batch.append(item)
            total += item[1]
        return batch

    def _process(self, batch: list[tuple[int, int, Future | None]]) -> None:
        parsed = {inbound_id: result for inbound_id, _, ahead in batch
                  if (result := self.parsers.result(ahead)) is not None}
        try:
            inbound.process_batch([inbound_id for inbound_id, _, _ in batch], parsed)
        except Exception:  # process_batch records each message's failure; this is the database itself failing
            logger.exception("processing inbound messages %s failed; the worker will retry them",
                             [inbound_id for inbound_id, _, _ in batch])


class SmtpReceiver:
    """The receiver, its storing and processing threads: `start()`, then `stop()`."""

    def __init__(self, *, host: str, port: int, max_bytes: int):
        self.processor = Processor()
        self.storer = Storer(self.processor)
        self.handler = StoringHandler(self.storer)
        self.controller = Controller(self.handler, hostname=host, port=port, data_size_limit=max_bytes,
                                     server_hostname="caredesk", ident="caredesk ESMTP",
                                     enable_SMTPUTF8=True)

    def start(self) -> None:
        self.processor.start()
        self.storer.start()
        self.controller.start()
        logger.info("SMTP receiver listening on %s:%s", self.controller.hostname, self.controller.port)

    def stop(self) -> None:
        self.controller.stop()
        self.storer.stop()
        self.storer.join(timeout=60)
        self.processor.stop()
        self.processor.join(timeout=60)
