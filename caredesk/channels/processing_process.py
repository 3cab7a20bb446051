"""What runs inside the SMTP receiver's processing process (started by `smtpd_handover.py`): what the receiver
stored, parsed in the parser pool and processed in batches, a batch cut short whenever the receiver waits
to store."""

from __future__ import annotations

import logging
import time
from collections import deque
from multiprocessing.connection import Connection

from django.db import close_old_connections

from caredesk.channels import inbound, parsers
from caredesk.channels.models import InboundMessage
from caredesk.channels.parsers import Parsed, Parsing
from caredesk.channels.smtpd_handover import IDLE_POLL_SECONDS, STOP, WriteTurn
from caredesk.core import heartbeats

logger = logging.getLogger("caredesk.channels.processing")
# Once it has the write lock, the processing process keeps it for this much work before letting a waiting
# receiver store: a batch cut after every message would spend more on its own reads than on the messages.
TURN_SECONDS = 0.03


class ProcessingLoop:
    def __init__(self, pipe: Connection, turn: WriteTurn | None) -> None:
        self.pipe = pipe
        self.turn = turn
        self.parsers = parsers.pool
        self.stored: deque[tuple[int, int]] = deque()  # (id, size) in the order stored
        # id -> its Parsing in the pool, a parse result kept from a batch cut short, or None (parse from the row)
        self.parsing: dict[int, Parsing | Parsed | None] = {}
        self.stopping = False

    def run(self) -> None:
        try:
            self._backlog()
            while not (self.stopping and not self.stored):
                if not self._receive(wait=not self.stored):
                    return  # the receiver is gone: a new one starts a new processing process
                heartbeats.beat(heartbeats.INBOUND_PROCESSING)
                if self.stored:
                    self._process(inbound.next_batch(self.stored))
                elif not self.stopping:
                    close_old_connections()
        finally:
            self.parsers.shutdown()

    def _backlog(self) -> None:
        """What was stored and not processed: a crash's leftovers, or what arrived while this process started."""
        for inbound_id, size in (InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED)
                                 .order_by("id").values_list("pk", "size")):
            self._queue(inbound_id, size, None)

    def _queue(self, inbound_id: int, size: int, raw: bytes | None) -> None:
        if inbound_id in self.parsing:  # found in the backlog first: the pool can still parse it
            if self.parsing[inbound_id] is None and raw is not None:
                self.parsing[inbound_id] = self.parsers.submit(raw)
            return
        self.parsing[inbound_id] = self.parsers.submit(raw) if raw is not None else None
        self.stored.append((inbound_id, size))

    def _receive(self, *, wait: bool) -> bool:
        """Take what the receiver sent; False when the receiver is gone."""
        try:
            while not self.stopping and self.pipe.poll(IDLE_POLL_SECONDS if wait else 0):  # idle: beat each second
                wait = False
                sent = self.pipe.recv()
                if sent is STOP:
                    self.stopping = True
                    break
                for inbound_id, size, raw in sent:
                    self._queue(inbound_id, size, raw)
        except (EOFError, OSError):
            return False
        return True

    def _process(self, batch: list[tuple[int, int]]) -> None:
        ids = [inbound_id for inbound_id, _ in batch]
        parsed = {inbound_id: result for inbound_id in ids if (result := self._parsed(inbound_id)) is not None}
        # Parsed before taking the turn: a large message is parsed from its row, outside any transaction.
        parsed.update(inbound.parse_stored([inbound_id for inbound_id in ids if inbound_id not in parsed]))
        try:
            if self.turn is None:
                results = inbound.process_batch(ids, parsed)
            else:
                with self.turn.processing():
                    started = time.monotonic()
                    results = inbound.process_batch(ids, parsed, until=lambda: (
                        self.turn.storer_is_waiting() and time.monotonic() - started >= TURN_SECONDS))
        except Exception:  # process_batch records each message's failure; this is the database itself failing
            logger.exception("processing inbound messages %s failed; the worker will retry them", ids)
            results = {}
        waiting = [(inbound_id, size) for inbound_id, size in batch
                   if results.get(inbound_id) == InboundMessage.Status.RECEIVED]
        self.stored.extendleft(reversed(waiting))  # cut short to let storing in: first again, in order
        for inbound_id in ids:
            if results.get(inbound_id) == InboundMessage.Status.RECEIVED:
                self.parsing[inbound_id] = parsed.get(inbound_id)
            else:
                del self.parsing[inbound_id]

    def _parsed(self, inbound_id: int) -> Parsed | None:
        parsing = self.parsing[inbound_id]
        return self.parsers.result(parsing) if isinstance(parsing, Parsing) else parsing
