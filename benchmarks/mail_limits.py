"""Peak memory of processing hostile mail (issue 9): the Subject bomb (30,000 RFC 2047 encoded words, about 2 MB),
a 50,000-part message, a 40 MB message and 100 levels of message/rfc822 nesting. Target: each under 300 MB in
every process. Each message is stored and processed (`inbound.process_inbound`: parsed in a parser process,
then onto a ticket) in a fresh process, which prints its own peak resident memory (ru_maxrss) and that of its
parser process. The baseline, in the same run: the standard library parsing a small ordinary message
(`email.message_from_bytes(raw, policy=policy.default)`, every part walked) in a fresh process, and caredesk
processing that same message.

Then, with --following N, the bomb and N ordinary messages behind it over SMTP to a real `caredesk smtpd`:
how long until all are processed, and the peak memory of each of its processes.

    .venv/bin/python -m benchmarks.mail_limits [--following 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from email.message import EmailMessage
from email.utils import make_msgid

from benchmarks.harness import CAREDESK, free_port, prepared_home
from tests.fixtures import hostile_mail

CASES = {
    "ordinary message": lambda: ordinary(0),
    "Subject bomb (30,000 encoded words)": hostile_mail.subject_bomb,
    "50,000 parts": hostile_mail.many_parts,
    "40 MB (two 15 MB attachments)": hostile_mail.large,
    "100 nested message/rfc822": hostile_mail.nested,
}
CEILING_MB = 300


def ordinary(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Customer {number % 10} <customer{number % 10}@example.org>"
    message["To"] = "support@example.com"
    message["Subject"] = f"Order question {number}"
    message["Message-ID"] = make_msgid(domain="bench.example.org")
    message.set_content("Hello, where is my passport application? I sent the form two weeks ago.\n" * 20)
    return bytes(message)


def megabytes(kilobytes: int) -> float:
    return kilobytes / 1024  # VmHWM is in kB


def own_peak_mb() -> float:
    """This process's peak resident memory (VmHWM, Linux). Not ru_maxrss: Linux carries that over from the
    parent at fork and through exec, so a child started by a large parent would report the parent's peak."""
    return megabytes(peak_of(os.getpid()))


def stdlib_parse(raw: bytes) -> dict:
    from email import message_from_bytes, policy

    started = time.perf_counter()
    message = message_from_bytes(raw, policy=policy.default)
    for part in message.walk():
        part.get_content_type()
    str(message["subject"])
    return {"seconds": time.perf_counter() - started, "self_mb": own_peak_mb()}


def caredesk_store(raw: bytes) -> dict:
    """What the receiver does: store the message."""
    import django

    django.setup()
    from caredesk.channels import actions

    inbound_id = actions.store_inbound(raw, source="smtp", envelope_sender="bench@example.org").pk
    return {"inbound_id": inbound_id, "self_mb": own_peak_mb()}


def caredesk_process(inbound_id: int) -> dict:
    """What the processing process (or the worker) does: parse the stored message in a parser process, and put
    it on a ticket."""
    import django

    django.setup()
    from caredesk.channels import inbound, parsers

    started = time.perf_counter()
    status = inbound.process_inbound(inbound_id)
    seconds = time.perf_counter() - started
    parser_kb = max(peak_of(pid) for pid in descendants(os.getpid()))
    parsers.pool.shutdown()
    return {"seconds": seconds, "status": status, "self_mb": own_peak_mb(), "parser_mb": megabytes(parser_kb)}


def measure(how: str, argument: str, env: dict) -> dict:
    """Run one step in a fresh process, so that each peak is that step's alone."""
    output = subprocess.run([sys.executable, "-m", "benchmarks.mail_limits", "--one", how, argument], env=env,
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output.splitlines()[-1])


def following_over_smtp(env: dict, home, count: int) -> None:
    port = free_port()
    receiver = subprocess.Popen([CAREDESK, "smtpd", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                smtplib.SMTP("127.0.0.1", port, timeout=5).quit()
                break
            except OSError:
                time.sleep(0.1)
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.sendmail("mallory@example.org", ["support@example.com"],
                            hostile_mail.subject_bomb(message_id="bomb-over-smtp@example.org"))
            for number in range(count):
                client.sendmail(f"customer{number % 10}@example.org", ["support@example.com"], ordinary(number))
        acknowledged = time.perf_counter() - started
        database = home / "caredesk.sqlite3"
        while True:
            with closing(sqlite3.connect(database, timeout=30)) as connection:
                waiting, = connection.execute("SELECT count(*) FROM channels_inboundmessage "
                                              "WHERE status = 'received'").fetchone()
                statuses = dict(connection.execute("SELECT status, count(*) FROM channels_inboundmessage "
                                                   "GROUP BY status").fetchall())
            if not waiting:
                break
            time.sleep(0.2)
        settled = time.perf_counter() - started
        peaks = {pid: peak_of(pid) for pid in [receiver.pid, *descendants(receiver.pid)]}
    finally:
        receiver.terminate()
        receiver.wait(timeout=60)
    print(f"\nthe bomb then {count} messages over SMTP to `caredesk smtpd`: all acknowledged in {acknowledged:.1f} s, "
          f"all processed in {settled:.1f} s; statuses {statuses}")
    print("peak memory per process: " + ", ".join(f"{megabytes(kb):.0f} MB" for kb in peaks.values()))


def descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def peak_of(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--following", type=int, default=0, help="also send the bomb and N messages over SMTP")
    parser.add_argument("--one", nargs=2, metavar=("HOW", "FILE"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        how, argument = arguments.one
        if how == "process":
            print(json.dumps(caredesk_process(int(argument))))
        else:  # the message is built by the caller and read from a file, so building it does not count
            raw = open(argument, "rb").read()
            print(json.dumps(stdlib_parse(raw) if how == "stdlib" else caredesk_store(raw)))
        return
    with prepared_home() as (home, env, _):
        message = home / "message.eml"
        message.write_bytes(ordinary(0))
        baseline = measure("stdlib", str(message), env)
        print(f"baseline: the standard library parsing an ordinary {len(ordinary(0)) / 1024:.1f} KB message: "
              f"{baseline['self_mb']:.0f} MB peak, {baseline['seconds'] * 1000:.1f} ms\n")
        print("peak resident memory of each process: storing (the receiver's work), processing (the processing\n"
              "process's or the worker's), and its parser process; x baseline is the largest of the three\n")
        print(f"{'message':38} {'size':>9} {'outcome':>10} {'seconds':>8} {'storing':>8} {'processing':>10} "
              f"{'parser':>7} {'x baseline':>10}")
        for case, build in CASES.items():
            size = len(build())
            message.write_bytes(build())
            stored = measure("store", str(message), env)
            result = measure("process", str(stored["inbound_id"]), env)
            peak = max(stored["self_mb"], result["self_mb"], result["parser_mb"])
            flag = "" if peak < CEILING_MB else f"  OVER {CEILING_MB} MB"
            print(f"{case:38} {size / 1e6:>7.2f}MB {result['status']:>10} {result['seconds']:>8.2f} "
                  f"{stored['self_mb']:>6.0f}MB {result['self_mb']:>8.0f}MB {result['parser_mb']:>5.0f}MB "
                  f"{peak / baseline['self_mb']:>10.1f}{flag}")
        if arguments.following:
            following_over_smtp(env, home, arguments.following)


if __name__ == "__main__":
    main()
