"""Crash safety: kill -9 the SMTP receiver in the middle of a burst of 1,000 messages, restart it, and every
message that got 250 is in the database exactly once and is processed. The receiver runs as a real
`caredesk smtpd` subprocess on its own throwaway home (a file database), checked with sqlite3 directly."""

from __future__ import annotations

import contextlib
import os
import signal
import smtplib
import sqlite3
import subprocess
import threading
from contextlib import closing

import pytest

from tests.e2e.channel_peers import CAREDESK, caredesk, caredesk_env, free_port, wait_for_port, wait_until
from tests.integration.channels.conftest import email_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
BURST = 1000
KILL_AFTER = 400  # acknowledged messages before the kill


def start_receiver(env, port) -> subprocess.Popen:
    process = subprocess.Popen([CAREDESK, "smtpd", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    wait_for_port(port, process=process)
    return process


def message(number: int) -> tuple[str, bytes]:
    message_id = f"burst-{number}@crash.example.org"
    return message_id, email_bytes(sender=f"customer{number % 10}@example.org", name=f"Customer {number % 10}",
                                   subject=f"Burst {number}", body=f"Message number {number}.",
                                   message_id=message_id)


def send_burst(port: int, numbers, acknowledged: list[str], on_ack=None) -> None:
    """Send until the connection breaks; record the Message-IDs that got 250."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            for number in numbers:
                message_id, raw = message(number)
                client.sendmail(f"customer{number % 10}@example.org", ["support@example.com"], raw)
                acknowledged.append(message_id)
                if on_ack:
                    on_ack(len(acknowledged))
    except (smtplib.SMTPException, OSError):
        pass


def query(database, sql, *params):
    with closing(sqlite3.connect(database, timeout=30)) as connection:
        return connection.execute(sql, params).fetchall()


def fresh_receiver(tmp_path):
    """(env, database, port, receiver): a real `caredesk smtpd` on a new home."""
    env = caredesk_env(tmp_path / "home")
    caredesk(env, "init", "--no-input")
    port = free_port()
    return env, tmp_path / "home" / "caredesk.sqlite3", port, start_receiver(env, port)


def wait_until_settled(database) -> None:
    wait_until(lambda: not query(database, "SELECT 1 FROM channels_inboundmessage WHERE status = 'received' LIMIT 1"),
               timeout=300, interval=0.5, what="every stored message to be processed")


def test_kill_9_mid_burst_loses_and_doubles_nothing(tmp_path):
    env, database, port, receiver = fresh_receiver(tmp_path)
    acknowledged: list[str] = []

    def kill_mid_burst(count):
        if count == KILL_AFTER:  # from another thread, while the next messages are in flight
            threading.Timer(0.005, receiver.send_signal, [signal.SIGKILL]).start()

    try:
        send_burst(port, range(BURST), acknowledged, on_ack=kill_mid_burst)
        receiver.wait(timeout=30)
        assert receiver.returncode == -signal.SIGKILL
        assert KILL_AFTER <= len(acknowledged) < BURST

        receiver = start_receiver(env, port)  # processes what the crash left, then takes the rest
        resent: list[str] = []
        send_burst(port, range(BURST), resent)  # the client retries everything: duplicates must not double
        assert len(resent) == BURST
        wait_until_settled(database)
    finally:
        receiver.terminate()
        receiver.wait(timeout=60)

    interactions = dict(query(database, "SELECT external_id, count(*) FROM tickets_interaction "
                                        "WHERE external_id LIKE 'burst-%' GROUP BY external_id"))
    processed = dict(query(database, "SELECT message_id, count(*) FROM channels_inboundmessage "
                                     "WHERE status = 'processed' GROUP BY message_id"))
    for message_id in acknowledged:
        assert interactions.get(message_id) == 1 and processed.get(message_id) == 1, message_id
    assert len(interactions) == BURST and set(interactions.values()) == {1}
    assert not query(database, "SELECT id, error FROM channels_inboundmessage WHERE status = 'failed'")
    statuses = dict(query(database, "SELECT status, count(*) FROM channels_inboundmessage GROUP BY status"))
    assert statuses["processed"] == BURST and set(statuses) <= {"processed", "ignored"}  # copies: duplicates
    assert query(database, "SELECT count(*) FROM tickets_ticket")[0][0] == 10  # one per sender


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
                command = open(f"/proc/{entry}/cmdline", "rb").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
                found.append(int(entry))
    return found


def running(pid: int) -> bool:
    """Whether `pid` still runs (an exited process that nobody reaped yet is a zombie: state Z)."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_9_of_the_processing_process_loses_nothing_and_it_is_started_again(tmp_path):
    env, database, port, receiver = fresh_receiver(tmp_path)
    orphans: list[int] = []
    try:
        first: list[str] = []
        send_burst(port, range(100), first)
        [processing] = wait_until(lambda: children(receiver.pid), what="the processing process")
        orphans += wait_until(lambda: children(processing), what="the processing process's parsers")
        # Its parser processes leave by themselves once it is gone.
        os.kill(processing, signal.SIGKILL)
        wait_until(lambda: not [pid for pid in orphans if running(pid)], what="the killed process's parsers to exit")
        second: list[str] = []
        send_burst(port, range(100, 300), second)  # still answered 250 while processing is down
        assert len(first) == 100 and len(second) == 200
        wait_until(lambda: [pid for pid in children(receiver.pid) if pid != processing],
                   what="a new processing process")
        wait_until_settled(database)
    finally:
        receiver.terminate()
        receiver.wait(timeout=60)
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    processed = dict(query(database, "SELECT message_id, count(*) FROM channels_inboundmessage "
                                     "WHERE status = 'processed' GROUP BY message_id"))
    assert set(processed) == {message_id for message_id in first + second} and set(processed.values()) == {1}
    assert query(database, "SELECT count(*) FROM tickets_interaction WHERE external_id LIKE 'burst-%'")[0][0] == 300
