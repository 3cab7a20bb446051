"""Inbound mail is parsed in other processes: parsing the next messages overlaps with writing the last, and a
message that would take all the memory or all the time costs a parser process, never caredesk.

Parsing is pure (`email/parsing.py`) and its result is plain data, so a parser process needs no database and
no Django. Each runs under a hard memory limit (RLIMIT_AS, CAREDESK_MAIL_PARSE_MEMORY_BYTES) and each parse
under a time limit (CAREDESK_MAIL_PARSE_SECONDS). A parse that fails that way (out of memory, out of time,
the process killed) is tried once more, alone, in a process of its own, so a message that was only queued
behind the culprit is not blamed; failing again, it is a `ParseFailure`, which processing quarantines.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from django.conf import settings

from caredesk.channels.email.limits import MailLimits
from caredesk.channels.email.parsing import MalformedEmail, ParsedEmail, parse_message

logger = logging.getLogger("caredesk.channels.parsers")
# Beyond its own time limit, how long the receiving side waits for a parse before it kills the parser
# (the time limit is an alarm inside the parser, which a hang inside C code would not see).
KILL_GRACE_SECONDS = 10


@dataclass(frozen=True)
class ParseFailure:
    """Parsing this message failed twice (out of memory, out of time, or the parser died): it is quarantined."""

    reason: str


Parsed = ParsedEmail | MalformedEmail | ParseFailure


@dataclass(frozen=True)
class ParseOptions:
    """The settings a parser process needs, read once in the process that hands it work."""

    max_attachment_bytes: int
    max_attachments: int
    mail_limits: MailLimits
    memory_bytes: int
    seconds: int

    @classmethod
    def from_settings(cls) -> ParseOptions:
        return cls(max_attachment_bytes=settings.ATTACHMENT_MAX_BYTES, max_attachments=settings.EMAIL_MAX_ATTACHMENTS,
                   mail_limits=mail_limits(), memory_bytes=settings.MAIL_PARSE_MEMORY_BYTES,
                   seconds=settings.MAIL_PARSE_SECONDS)


def mail_limits() -> MailLimits:
    return MailLimits(header_bytes=settings.MAIL_MAX_HEADER_BYTES,
                      header_field_bytes=settings.MAIL_MAX_HEADER_FIELD_BYTES,
                      encoded_words=settings.MAIL_MAX_ENCODED_WORDS, parts=settings.MAIL_MAX_PARTS,
                      depth=settings.MAIL_MAX_DEPTH)


class ParseTimedOut(BaseException):
    """Raised inside a parser process when one message took longer than CAREDESK_MAIL_PARSE_SECONDS (a
    BaseException, so that the parser's guards against damaged input, `except Exception`, let it through)."""


def _start_parser(parent: int, memory_bytes: int) -> None:
    """In each parser process: the memory limit, then exit once the process that started it is gone (killed
    with -9 it never says goodbye, and its parsers would otherwise wait for work forever)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _time_out(signum, frame) -> None:
    raise ParseTimedOut


def parse_in_parser(raw: bytes, options: ParseOptions) -> ParsedEmail:
    """A parser process's task: one message, within the time limit (an alarm: the task runs in the main thread)."""
    signal.signal(signal.SIGALRM, _time_out)
    signal.alarm(options.seconds)
    try:
        return parse_message(raw, max_attachment_bytes=options.max_attachment_bytes,
                             max_attachments=options.max_attachments, mail_limits=options.mail_limits)
    finally:
        signal.alarm(0)


@dataclass
class Parsing:
    """A message handed to the parser pool: its bytes (for a second try), the pool that has it and its Future."""

    raw: bytes = field(repr=False)
    options: ParseOptions
    executor: ProcessPoolExecutor = field(repr=False)
    future: Future


class ParserPool:
    """Parser processes (one fewer than the CPUs, at least one), started on first use, started again if broken."""

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, raw: bytes) -> Parsing:
        """Start parsing `raw`; `result` gives what it became."""
        options = ParseOptions.from_settings()
        try:
            executor = self._pool(options)
            return Parsing(raw, options, executor, executor.submit(parse_in_parser, raw, options))
        except BrokenProcessPool:
            logger.warning("the parser pool was broken; starting it again")
            self.shutdown()
            executor = self._pool(options)
            return Parsing(raw, options, executor, executor.submit(parse_in_parser, raw, options))

    def parse(self, raw: bytes) -> Parsed:
        return self.result(self.submit(raw))

    def result(self, parsing: Parsing) -> Parsed:
        """The parsed message, the MalformedEmail saying it is not email, or the ParseFailure of two tries."""
        first = self._outcome(parsing)
        if not isinstance(first, ParseFailure):
            return first
        logger.warning("parsing a message of %s bytes failed (%s); trying it again alone", len(parsing.raw),
                       first.reason)
        alone = ParserPool()
        try:
            second = alone._outcome(alone.submit(parsing.raw))
        finally:
            alone.shutdown()
        if isinstance(second, ParseFailure):
            return ParseFailure(f"parsing failed twice: {first.reason}; then {second.reason}")
        return second

    def _outcome(self, parsing: Parsing) -> Parsed:
        options = parsing.options
        try:
            return parsing.future.result(timeout=options.seconds + KILL_GRACE_SECONDS)
        except MalformedEmail as error:
            return error
        except MemoryError:
            return ParseFailure(f"over the memory limit of {options.memory_bytes} bytes")
        except ParseTimedOut:
            return ParseFailure(f"over the time limit of {options.seconds} seconds")
        except FutureTimeout:
            if parsing.executor is self._executor:
                self.kill()
            return ParseFailure(f"over the time limit of {options.seconds} seconds (the parser was killed)")
        except BrokenProcessPool:  # the parser died: killed by the kernel, a crash
            if parsing.executor is self._executor:
                self.shutdown()
            return ParseFailure("the parser process died")
        except Exception as error:  # noqa: BLE001 - a bug the message set off in the parser
            return ParseFailure(f"the parser failed ({type(error).__name__}: {error})")

    def _pool(self, options: ParseOptions) -> ProcessPoolExecutor:
        """The parser processes, started with the memory limit of `options` when there are none."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=max(1, (os.cpu_count() or 2) - 1), mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_parser, initargs=(os.getpid(), options.memory_bytes))
        return self._executor

    def kill(self) -> None:
        """Kill the parser processes (a hung one does not end otherwise); the next `submit` starts new ones."""
        if self._executor is not None:
            for process in list((self._executor._processes or {}).values()):  # no public way to kill a worker
                process.kill()
        self.shutdown()

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


pool = ParserPool()  # this process's parsers: the receiver's, the processing process's or the worker's
