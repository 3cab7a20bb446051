"""Live updates: 200 agents' open ticket pages on one `caredesk serve`, changes arriving at 10 per second.

Target (issue 15): each change shown within 2 seconds at p95, with the server's CPU and memory cost.

The mechanism is the workspace's (caredesk/web/static/caredesk/live.js): every open page sends a conditional
GET /live/?token=<the page's signed token> (If-None-Match: the page's entity tag) every CAREDESK_LIVE_POLL_SECONDS
(1 s); the server answers 304 while the ticket's change stamp and the agent's unread count are unchanged (no
session read, one SQL statement). On a 200 the page fetches the panels that follow the ticket's changes in one
request (GET /tickets/<n>/live/: head, banners, properties, escalation, follow-up, timeline; with the agent's
session) and replaces its own from them. Each simulated page first loads the ticket page, as a
browser does, and takes its token and entity tag from it.

A throwaway home gets PAGES agents, each signed in (a session row, as /login/ makes) and assigned a ticket of
their own, and an API agent that makes the changes. Each simulated page is one keep-alive connection from an
asyncio client in this process (raw sockets, so the client takes little of the CPU the server needs) that does
what live.js does. The changes arrive on a fixed schedule (open loop) at --rate per second, each a customer
email logged on a random page's ticket through POST /api/v1/tickets/<n>/interactions (a new timeline entry,
and a "customer replied" notification for the page's agent). A change counts as shown when the page's refetch
contains its text; the delay is measured from when the change was sent (its own API time included).

Baselines in the same run: GET /api/v1/health/live (no session, no database) for the request latencies, and
the same pages polling with no changes for the server's CPU.

    .venv/bin/python -m benchmarks.live_updates [--pages 200] [--rate 10] [--seconds 60] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import random
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Result, caredesk_env, closed_loop, request_bytes, run_cli, running_server

POLL_SECONDS = 1.0


def setup(env: dict, pages: int) -> tuple[list[tuple[int, str]], str]:
    """PAGES agents with a session each and a ticket each; the changes' API token. [(ticket id, session key)]."""
    os.environ.update({key: value for key, value in env.items() if key.startswith(("CAREDESK_", "DJANGO_"))})
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from caredesk.core.actions import create_agent, create_api_token
    from caredesk.core.audit import Actor
    from caredesk.customers.actions import create_customer
    from caredesk.tickets.actions import create_ticket

    changer = create_agent(username="changes", role_names=["Agent"])
    _, token = create_api_token(changer, "benchmark")
    customer = create_customer(actor=Actor.of_agent(changer), name="Dana Whitfield", emails=["dana@example.com"])
    watched = []
    for index in range(pages):
        agent = create_agent(username=f"page{index:03}", role_names=["Agent"])
        ticket = create_ticket(actor=Actor.of_agent(changer), requester=customer, assignee=agent,
                               subject=f"Passport photo rejected ({index})")
        session = SessionStore()
        session[SESSION_KEY] = str(agent.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        session.create()
        watched.append((ticket.pk, session.session_key))
    return watched, token


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` and every process below it (KiB), from /proc."""
    total, tree = 0, [pid]
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    for process in tree:
        tree.extend(children.get(process, []))
        try:
            for line in open(f"/proc/{process}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


async def _read_response(reader) -> tuple[int, dict, bytes]:
    status_line = await reader.readline()
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return int(status_line.split()[1]), headers, body


class Run:
    def __init__(self, port: int, watched: list[tuple[int, str]], token: str):
        self.port, self.watched, self.token = port, watched, token
        self.sent: dict[int, dict[str, float]] = {}  # ticket -> {marker: sent at}
        self.delays: list[float] = []
        self.polls: list[float] = []
        self.poll_statuses: dict[int, int] = {}
        self.page_loads: list[float] = []
        self.changes: list[float] = []
        self.change_statuses: dict[int, int] = {}
        self.stop = False
        self.opened = 0

    async def page(self, ticket: int, session: str):
        """One open ticket page: poll, and on a change fetch the page and find the changes it shows."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        cookie = f"Cookie: sessionid={session}"
        await asyncio.sleep(random.random() * POLL_SECONDS * 3)
        writer.write(f"GET /tickets/{ticket}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}\r\n\r\n".encode())
        status, _, page = await _read_response(reader)
        if status != 200:
            raise SystemExit(f"the ticket page answered {status}")
        token, etag = (html.unescape(re.search(rf'{name}="([^"]*)"', page.decode()).group(1))
                       for name in ("data-live-token", "data-live-etag"))
        self.opened += 1
        while not self.stop:
            began = time.perf_counter()
            head = [f"GET /live/?token={token} HTTP/1.1", "Host: 127.0.0.1"]
            if etag:
                head.append(f"If-None-Match: {etag}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
            status, headers, _ = await _read_response(reader)
            self.polls.append(time.perf_counter() - began)
            self.poll_statuses[status] = self.poll_statuses.get(status, 0) + 1
            if status == 200:
                etag = headers.get("etag", "")
                await self.refetch(reader, writer, ticket, cookie)
            elif status != 304:
                raise SystemExit(f"the poll answered {status}")
            await asyncio.sleep(max(0.0, POLL_SECONDS - (time.perf_counter() - began)))
        writer.close()

    async def refetch(self, reader, writer, ticket: int, cookie: str):
        began = time.perf_counter()
        writer.write(f"GET /tickets/{ticket}/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}\r\n\r\n".encode())
        status, _, body = await _read_response(reader)
        now = time.perf_counter()
        self.page_loads.append(now - began)
        if status != 200:
            raise SystemExit(f"the ticket page answered {status}")
        text = body.decode()
        for marker, sent_at in list(self.sent.get(ticket, {}).items()):
            if marker in text:
                self.delays.append(now - sent_at)
                del self.sent[ticket][marker]

    async def changes_at(self, rate: float, seconds: float):
        """Customer emails on random pages' tickets, on a fixed schedule, over a few connections."""
        queue: asyncio.Queue = asyncio.Queue()

        async def sender():
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            while (item := await queue.get()) is not None:
                sequence, scheduled = item
                ticket = random.choice(self.watched)[0]
                marker = f"live-change-{sequence:06}"
                self.sent.setdefault(ticket, {})[marker] = scheduled
                writer.write(request_bytes("POST", f"/api/v1/tickets/{ticket}/interactions", self.token, {
                    "type": "customer_message", "channel": "email",
                    "body": f"Here is the new photo ({marker})."}))
                status, _, _ = await _read_response(reader)
                self.changes.append(time.perf_counter() - scheduled)
                self.change_statuses[status] = self.change_statuses.get(status, 0) + 1
            writer.close()

        senders = [asyncio.create_task(sender()) for _ in range(4)]
        start = time.perf_counter()
        for sequence in range(int(rate * seconds)):
            scheduled = start + sequence / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            queue.put_nowait((sequence, scheduled))
        for _ in senders:
            queue.put_nowait(None)
        await asyncio.gather(*senders)

    async def main(self, server, rate: float, seconds: float, idle_seconds: float) -> dict:
        pages = [asyncio.create_task(self.page(ticket, session)) for ticket, session in self.watched]
        while self.opened < len(self.watched):  # every page is open (loaded, then polling)
            await asyncio.sleep(0.2)
        await asyncio.sleep(POLL_SECONDS)
        cpu, started = server.cpu_seconds(), time.perf_counter()
        self.polls.clear()
        await asyncio.sleep(idle_seconds)
        idle = {"cpu": (server.cpu_seconds() - cpu) / (time.perf_counter() - started), "rss": rss_kib(server.pid),
                "polls": sorted(self.polls)}
        self.polls.clear()
        self.poll_statuses.clear()
        cpu, started = server.cpu_seconds(), time.perf_counter()
        await self.changes_at(rate, seconds)
        await asyncio.sleep(POLL_SECONDS * 3)  # the last changes' pages poll again
        busy = {"cpu": (server.cpu_seconds() - cpu) / (time.perf_counter() - started), "rss": rss_kib(server.pid)}
        self.stop = True
        await asyncio.gather(*pages)
        return {"idle": idle, "busy": busy}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else float("nan")


def figures(label: str, values: list[float]) -> str:
    return (f"  {label:<44} n={len(values):<6} p50 {percentile(values, 50):7.1f}  p95 {percentile(values, 95):7.1f}  "
            f"p99 {percentile(values, 99):7.1f}  max {max(values) * 1000 if values else float('nan'):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the changes arrive")
    parser.add_argument("--idle-seconds", type=float, default=15.0, help="polling with no change first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="postgresql://… (default: the home's SQLite file)")
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="caredesk-bench-live-"))
    env = caredesk_env(home, options.database_url)
    run_cli(env, "init", "--no-input")
    watched, token = setup(env, options.pages)
    print(f"{options.pages} open ticket pages polling every {POLL_SECONDS:g} s; changes at {options.rate:g}/s for "
          f"{options.seconds:g} s; {options.workers} web workers; database "
          f"{'PostgreSQL' if options.database_url else 'SQLite'}; load average before: "
          f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with running_server(env, workers=options.workers) as server:
        rss_start = rss_kib(server.pid)
        baseline: Result = closed_loop(server.port, lambda index, sequence: request_bytes(
            "GET", "/api/v1/health/live", None), connections=1, duration=3)
        run = Run(server.port, watched, token)
        cost = asyncio.run(run.main(server, options.rate, options.seconds, options.idle_seconds))
    shown = len(run.delays)
    expected = int(options.rate * options.seconds)
    print(f"\nbaseline GET /api/v1/health/live (one at a time, idle server): p50 {baseline.percentile(50):.1f}, "
          f"p95 {baseline.percentile(95):.1f} ms")
    print(figures("poll, no changes (baseline of the polls)", cost["idle"]["polls"]))
    print(figures("poll, changes arriving", run.polls) + f"  statuses {dict(sorted(run.poll_statuses.items()))}")
    print(figures("change sent (API, customer email logged)", run.changes)
          + f"  statuses {dict(sorted(run.change_statuses.items()))}")
    print(figures("ticket panels refetched after a change", run.page_loads))
    print(figures("CHANGE SHOWN (sent -> page shows it)", run.delays) + f"  shown {shown}/{expected}")
    print(f"\nserver CPU (both workers, of 2 CPUs = 200%): polling only {cost['idle']['cpu'] * 100:.0f}%, "
          f"with changes {cost['busy']['cpu'] * 100:.0f}%")
    print(f"server memory (RSS, all processes): at start {rss_start / 1024:.0f} MiB, after polling "
          f"{cost['idle']['rss'] / 1024:.0f} MiB, after the changes {cost['busy']['rss'] / 1024:.0f} MiB")
    within = sum(1 for delay in run.delays if delay <= 2.0)
    print(f"changes shown within 2 s: {within}/{expected} ({within / expected:.1%}); p95 "
          f"{percentile(run.delays, 95) / 1000:.2f} s (target: 2 s)")


if __name__ == "__main__":
    main()
