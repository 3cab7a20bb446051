"""The built-in SMTP receiver (aiosmtpd): 250 only once the raw message is committed to the database.

The event loop never touches the database: one storing thread writes each message (so SMTP answers follow
the commit), and one processing thread turns stored messages into tickets, beginning with any backlog a
crash left. A message over CAREDESK_EMAIL_MAX_BYTES gets 552 from aiosmtpd itself (SIZE is announced).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from django.db import close_old_connections

from caredesk.channels import actions, inbound
from caredesk.channels.models import InboundMessage

logger = logging.getLogger("caredesk.channels.smtpd")
_STOP = object()


class StoringHandler:
    """aiosmtpd handler: accepts any recipient, stores the message, then queues it for processing."""

    def __init__(self, processor: Processor):
        self.processor = processor
        self.storing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtpd-store")

    async def handle_DATA(self, server, session, envelope):
        sender = envelope.mail_from if envelope.mail_from not in (None, "<>") else ""
        try:
            inbound_id = await asyncio.get_running_loop().run_in_executor(
                self.storing, _store, envelope.original_content, sender, list(envelope.rcpt_tos),
            )
        except Exception:
            logger.exception("could not store a message from %s", sender or "<>")
            return "451 4.3.0 The message could not be stored; please try again later"
        self.processor.submit(inbound_id)
        return f"250 2.0.0 Stored as inbound message {inbound_id}"

    def close(self) -> None:
        self.storing.shutdown(wait=True)


def _store(raw: bytes, sender: str, recipients: list[str]) -> int:
    try:
        return actions.store_inbound(raw, source=InboundMessage.Source.SMTP, envelope_sender=sender,
                                     envelope_recipients=recipients).pk
    finally:
        close_old_connections()


class Processor(threading.Thread):
    """Processes stored messages one by one, in the order they were stored."""

    def __init__(self):
        super().__init__(name="smtpd-process", daemon=True)
        self.pending: queue.Queue = queue.Queue()

    def submit(self, inbound_id: int) -> None:
        self.pending.put(inbound_id)

    def stop(self) -> None:
        self.pending.put(_STOP)

    def run(self) -> None:
        for inbound_id in InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED).order_by("id") \
                .values_list("pk", flat=True):
            self.pending.put(inbound_id)
        while (inbound_id := self.pending.get()) is not _STOP:
            try:
                inbound.process_inbound(inbound_id)
            except Exception:  # process_inbound records its own failures; this is the database itself failing
                logger.exception("processing inbound message #%s failed; the worker will retry it", inbound_id)
            if self.pending.empty():
                close_old_connections()


class SmtpReceiver:
    """The receiver and its processing thread: `start()`, then `stop()`."""

    def __init__(self, *, host: str, port: int, max_bytes: int):
        self.processor = Processor()
        self.handler = StoringHandler(self.processor)
        self.controller = Controller(self.handler, hostname=host, port=port, data_size_limit=max_bytes,
                                     server_hostname="caredesk", ident="caredesk ESMTP",
                                     enable_SMTPUTF8=True)

    def start(self) -> None:
        self.processor.start()
        self.controller.start()
        logger.info("SMTP receiver listening on %s:%s", self.controller.hostname, self.controller.port)

    def stop(self) -> None:
        self.controller.stop()
        self.handler.close()
        self.processor.stop()
        self.processor.join(timeout=60)
