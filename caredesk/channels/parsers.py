"""Inbound mail parsed in other processes, so that parsing the next messages overlaps with writing the last.

Parsing is pure (`email/parsing.py`) and its result is plain data, so a worker process needs no database
and no Django. A message over POOLED_MESSAGE_BYTES is not sent to the pool: it is parsed later, in the
processing thread, from its stored copy, which keeps the memory of a large attachment near its own size.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from django.conf import settings

from caredesk.channels.email.parsing import MalformedEmail, ParsedEmail, parse_message

logger = logging.getLogger("caredesk.channels.parsers")
POOLED_MESSAGE_BYTES = 1024 * 1024


def _leave_with(parent: int) -> None:
    """In each parser process: exit once the process that started the pool is gone. Killed with -9, it
    never says goodbye, and its parsers would otherwise wait for work forever."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _parse(raw: bytes, max_attachment_bytes: int, max_attachments: int) -> ParsedEmail:
    return parse_message(raw, max_attachment_bytes=max_attachment_bytes, max_attachments=max_attachments)


class ParserPool:
    """Worker processes (one fewer than the CPUs, at least one), started on first use."""

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, raw: bytes) -> Future | None:
        """Start parsing `raw`; None when it is left to the processing thread (large, or the pool is gone)."""
        if len(raw) > POOLED_MESSAGE_BYTES:
            return None
        try:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1),
                                                     mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_leave_with, initargs=(os.getpid(),))
            return self._executor.submit(_parse, raw, settings.ATTACHMENT_MAX_BYTES, settings.EMAIL_MAX_ATTACHMENTS)
        except Exception:  # noqa: BLE001 - a broken pool only means parsing in this process
            logger.exception("the parser pool is unavailable; parsing in the processing thread")
            return None

    @staticmethod
    def result(parsing: Future | None) -> ParsedEmail | MalformedEmail | None:
        """The parsed message, or MalformedEmail for input that is not email; None to parse it again here."""
        if parsing is None:
            return None
        try:
            return parsing.result()
        except MalformedEmail as error:
            return error
        except Exception:  # noqa: BLE001 - a worker that died: the stored copy is parsed again in this process
            logger.exception("a parser process failed; parsing in the processing thread")
            return None

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
