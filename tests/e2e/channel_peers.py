"""What the channel end-to-end tests share: free ports, waiting, the receiver in a thread, a peer SMTP
server that records what caredesk delivers, and throwaway caredesk homes for subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller

CAREDESK = str(Path(sys.executable).with_name("caredesk"))
CORPUS = Path(__file__).parents[1] / "fixtures" / "email"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.1, what: str = "the condition"):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds (never a timing assertion:
    the limit only stops a broken test from hanging)."""
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except OperationalError:  # the in-memory SQLite test database locks whole tables while a thread writes
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@contextmanager
def receiver_in_thread(max_bytes: int | None = None):
    """caredesk's SMTP receiver on a free loopback port, in this process (use with transactional_db)."""
    from django.conf import settings
    from django.db import connections

    from caredesk.channels.smtpd import SmtpReceiver

    receiver = SmtpReceiver(host="127.0.0.1", port=free_port(), max_bytes=max_bytes or settings.EMAIL_MAX_BYTES)
    receiver.start()
    try:
        yield receiver.controller.port
    finally:
        receiver.stop()
        connections.close_all()


class RecordingHandler:
    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@contextmanager
def peer_smtp_server():
    """A mail server standing for the customer's provider: it accepts and records what caredesk sends."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


def caredesk_env(home: Path, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAREDESK_")}
    env.update(CAREDESK_HOME=str(home), DJANGO_SETTINGS_MODULE="caredesk.settings", CAREDESK_LOG_LEVEL="WARNING",
               **extra)
    return env


def caredesk(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([CAREDESK, *args], env=env, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return result


def wait_for_port(port: int, *, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    def listening():
        if process is not None and process.poll() is not None:
            output = process.communicate()[1] if process.stderr else ""
            raise AssertionError(f"the process exited with {process.returncode}: {output}")
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout=timeout, what=f"port {port}")
