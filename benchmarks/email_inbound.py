"""Inbound email end to end: received over SMTP by a real `caredesk smtpd`, stored, parsed, threaded and
on the ticket, on SQLite. Target (issue 5): at least 200 messages/s for 4-20 KB messages. The load average is printed
because other work on the machine takes CPU from the receiver's processes (receiving, processing, parsing), and so is
the CPU time those processes used per message (Linux), which the load does not change much. The baseline,
measured in the same run on the same messages, is standard-library parse-only
(`email.message_from_bytes(raw, policy=policy.default)`).

Then peak memory of processing one message with a 25 MB attachment (target: under 3 times the message),
traced in this process from loading the stored row to the attachment on the ticket.

    .venv/bin/python -m benchmarks.email_inbound [--messages 2000] [--connections 4]
"""

from __future__ import annotations

import argparse
import os
import random
import smtplib
import sqlite3
import subprocess
import threading
import time
import tracemalloc
from contextlib import closing
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import UTC, datetime

from benchmarks.harness import CAREDESK, cpu_seconds_of_tree, free_port, prepared_home

WORDS = ("passport renewal photo application form order status refund please thanks appointment "
         "document mailing address signature help question waiting weeks urgent travel").split()


def text_of(rng: random.Random, size: int) -> str:
    words, length = [], 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word + ("\n" if rng.random() < 0.08 else " "))
        length += len(word) + 1
    return "".join(words)


def corpus(count: int, seed: int = 5) -> list[tuple[str, bytes]]:
    """(sender, raw) pairs: 4-20 KB, 300 customers; a third are replies quoting the customer's previous mail."""
    rng = random.Random(seed)
    previous: dict[str, str] = {}
    messages = []
    for number in range(count):
        sender = f"customer{rng.randrange(300)}@example.org"
        message = EmailMessage()
        message["From"], message["To"] = f"Customer {sender[8:-12]} <{sender}>", "support@example.com"
        message["Subject"] = f"Question {number} about my order"
        message["Date"] = format_datetime(datetime(2026, 3, 2, 12, tzinfo=UTC))
        message["Message-ID"] = f"<bench-{number}@mail.example.org>"
        body = text_of(rng, rng.randrange(3000, 18000))
        if sender in previous and rng.random() < 0.5:
            message["In-Reply-To"] = message["References"] = f"<{previous[sender]}>"
            body = body[:2000] + "\n\nOn Monday Customer Care wrote:\n" + "".join(
                f"> {line}\n" for line in body[2000:].splitlines())
        message.set_content(body)
        previous[sender] = f"bench-{number}@mail.example.org"
        messages.append((sender, message.as_bytes(policy=policy.SMTP)))
    return messages


def parse_only_rate(messages) -> float:
    started = time.perf_counter()
    for _, raw in messages:
        message_from_bytes(raw, policy=policy.default)
    return len(messages) / (time.perf_counter() - started)


def send_all(port: int, messages, connections: int) -> None:
    def send(share):
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for sender, raw in share:
                client.sendmail(sender, ["support@example.com"], raw)

    threads = [threading.Thread(target=send, args=(messages[index::connections],)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def end_to_end_rate(env: dict, database, messages, connections: int) -> tuple[float, float, dict]:
    port = free_port()
    receiver = subprocess.Popen([CAREDESK, "smtpd", "--port", str(port)], env=env)
    try:
        for _ in range(200):
            try:
                smtplib.SMTP("127.0.0.1", port, timeout=5).quit()
                break
            except OSError:
                time.sleep(0.05)
        started = time.perf_counter()
        send_all(port, messages, connections)
        acknowledged = time.perf_counter() - started
        with closing(sqlite3.connect(database, timeout=30)) as db:
            while db.execute("SELECT count(*) FROM channels_inboundmessage WHERE status != 'received'") \
                    .fetchone()[0] < len(messages):
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            statuses = dict(db.execute("SELECT status, count(*) FROM channels_inboundmessage GROUP BY status"))
        cpu = [seconds * 1000 / len(messages) for seconds in cpu_seconds_of_tree(receiver.pid)]
    finally:
        receiver.terminate()
        receiver.wait(timeout=60)
    return len(messages) / elapsed, len(messages) / acknowledged, statuses, cpu


def peak_memory_of_a_large_attachment(home) -> tuple[int, int]:
    """(message bytes, peak traced bytes) processing a message with a 25 MB attachment."""
    os.environ["CAREDESK_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    import django

    django.setup()
    from caredesk.channels import actions, inbound

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "big@example.org", "support@example.com", "Scans"
    message["Message-ID"] = "<large-attachment@mail.example.org>"
    message.set_content("The scans are attached.")
    message.add_attachment(os.urandom(25 * 1024 * 1024), maintype="application", subtype="octet-stream",
                           filename="scans.bin")
    raw = message.as_bytes(policy=policy.SMTP)
    row_id = actions.store_inbound(raw, source="smtp", envelope_sender="big@example.org").pk
    size = len(raw)
    del raw, message
    tracemalloc.start()
    status = inbound.process_inbound(row_id)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert status == "processed", status
    return size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4, help="concurrent SMTP client connections")
    options = parser.parse_args()

    messages = corpus(options.messages)
    sizes = sorted(len(raw) for _, raw in messages)
    with prepared_home() as (home, env, _token):
        database = home / "caredesk.sqlite3"
        load_before = os.getloadavg()[0]
        rate, acknowledged_rate, statuses, cpu = end_to_end_rate(env, database, messages, options.connections)
        baseline = parse_only_rate(messages)
        print(f"{len(messages)} messages of {sizes[0] / 1024:.1f}-{sizes[-1] / 1024:.1f} KB "
              f"(median {sizes[len(sizes) // 2] / 1024:.1f} KB), {options.connections} SMTP connections")
        print(f"  end to end (SMTP, stored, parsed, threaded, on the ticket): {rate:,.0f} messages/s")
        print(f"  acknowledged (250 after the commit):                         {acknowledged_rate:,.0f} messages/s")
        print(f"  standard-library parse-only, same messages:                  {baseline:,.0f} messages/s")
        print(f"  ratio end to end / parse-only: {rate / baseline:.3f}   statuses: {statuses}")
        if cpu:
            print(f"  CPU per message: receiver process {cpu[0]:.2f} ms, the processes below it (processing, parsing) "
                  f"{' + '.join(f'{ms:.2f}' for ms in cpu[1:] if ms >= 0.01)} ms (with their start-up)")
        print(f"  load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} CPUs (the machine may be shared)")
        size, peak = peak_memory_of_a_large_attachment(home)
        print(f"25 MB attachment: message {size / 1e6:.1f} MB, peak traced memory while processing "
              f"{peak / 1e6:.1f} MB = {peak / size:.2f} x the message")


if __name__ == "__main__":
    main()
