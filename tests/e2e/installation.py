"""A real caredesk installation for the supervision tests: `caredesk serve` (or `web` and `worker`) as
subprocesses on a throwaway home, a peer SMTP server for what it delivers, load that keeps it busy, and ways to
find its processes and read its health."""

from __future__ import annotations

import email
import json
import signal
import smtplib
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.channel_peers import CAREDESK, caredesk, caredesk_env, free_port, wait_until
from tests.integration.channels.conftest import email_bytes

# Short enough to see an outage in seconds: heartbeats 5 times a second, stale after 2 s, a restart after 4 s.
FAST_SUPERVISION = {
    "CAREDESK_WORKER_SWEEP_SECONDS": "1", "CAREDESK_HEARTBEAT_SECONDS": "0.2",
    "CAREDESK_HEALTH_SWEEP_SECONDS": "2", "CAREDESK_HEALTH_HEARTBEAT_SECONDS": "2",
    "CAREDESK_SUPERVISOR_RESTART_SECONDS": "4", "CAREDESK_SUPERVISOR_STABLE_SECONDS": "5",
}


@dataclass
class Installation:
    env: dict
    token: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, *arguments: str, log: Path) -> subprocess.Popen:
        process = subprocess.Popen([CAREDESK, *arguments], env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=log.open("w"), stdin=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                raise AssertionError(f"pid {process.pid} did not stop within 40 s of SIGTERM") from None


def install(home: Path, **settings: str) -> Installation:
    """Initialise a home (or the database in CAREDESK_DATABASE_URL) with an agent and her API token."""
    env = caredesk_env(home, **settings)
    caredesk(env, "init", "--no-input")
    caredesk(env, "agent", "add", "maria", "--role", "Agent", "--password", "long-enough-secret")
    return Installation(env, caredesk(env, "token", "create", "maria").stdout.strip())


def call(url: str, *, token: str | None = None, body: dict | None = None, timeout: float = 10) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def health(port: int) -> tuple[int, dict]:
    return call(f"http://127.0.0.1:{port}/api/v1/health")


def wait_live(port: int, timeout: float = 60) -> None:
    """Until the web server on `port` answers (whatever the state of the rest)."""
    def answers():
        try:
            return call(f"http://127.0.0.1:{port}/api/v1/health/live")[0] == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    wait_until(answers, timeout=timeout, interval=0.2, what=f"the web server on port {port}")


def wait_healthy(port: int, timeout: float = 60) -> dict:
    def healthy():
        try:
            status, body = health(port)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None
        return body if status == 200 else None

    return wait_until(healthy, timeout=timeout, interval=0.2, what=f"health on port {port} to be ok")


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(stat.parent.name), command))
        except (OSError, IndexError, ValueError):  # the process ended while it was read
            continue
    return found


def child(pid: int, marker: str) -> int | None:
    return next((found for found, command in children(pid) if marker in command), None)


class Load(threading.Thread):
    """Work sent in a loop until `stop()`: what got a positive answer, and what failed (which may or may not
    have been done: a connection broken by a kill)."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()
        self.acknowledged: list[str] = []
        self.unanswered: list[str] = []

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        target = len(self.acknowledged) + count
        wait_until(lambda: len(self.acknowledged) >= target, timeout=timeout, what=f"{count} more from {self.name}")


class MailLoad(Load):
    """Messages sent over SMTP, each with a Message-ID of its own, about 20 a second."""

    def __init__(self, port: int, tag: str) -> None:
        super().__init__(f"mail to {port}")
        self.port, self.tag = port, tag

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
                    while not self.stopping.is_set():
                        number += 1
                        message_id = f"{self.tag}-{number}@load.example.org"
                        try:
                            client.sendmail("load@example.org", ["support@example.com"], email_bytes(
                                sender="load@example.org", subject=message_id, message_id=message_id))
                        except BaseException:
                            self.unanswered.append(message_id)
                            raise
                        self.acknowledged.append(message_id)
                        time.sleep(0.05)
            except (smtplib.SMTPException, OSError):
                time.sleep(0.2)  # the receiver is down: try again shortly


class ReplyLoad(Load):
    """Public replies on one ticket through the API (each one an outbound email), spread over `ports`."""

    def __init__(self, ports: list[int], token: str, ticket_id: int, tag: str) -> None:
        super().__init__(f"replies on ticket {ticket_id}")
        self.ports, self.token, self.ticket_id, self.tag = ports, token, ticket_id, tag

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            number += 1
            body = f"{self.tag} reply {number}"
            port = self.ports[number % len(self.ports)]
            try:
                status, answer = call(f"http://127.0.0.1:{port}/api/v1/tickets/{self.ticket_id}/interactions",
                                      token=self.token, body={"type": "reply", "body": body})
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self.unanswered.append(body)
                time.sleep(0.1)
                continue
            if status != 201:
                raise AssertionError(f"a reply got {status}: {answer}")
            self.acknowledged.append(body)
            time.sleep(0.05)


def create_ticket(port: int, token: str, subject: str) -> int:
    """A ticket from a new requester whose address is made of the subject."""
    address = f"{subject.lower().replace(' ', '-')}@example.com"
    status, ticket = call(f"http://127.0.0.1:{port}/api/v1/tickets", token=token, body={
        "subject": subject, "description": "Load for the supervision tests.", "ticket_type": "general_inquiry",
        "requester": {"name": subject, "emails": [address]}})
    assert status == 201, ticket
    return ticket["id"]


def delivered_message_ids(handler) -> Counter:
    """How many times the peer server received each Message-ID (without its angle brackets)."""
    return Counter(email.message_from_bytes(raw)["Message-ID"].strip("<>") for _, _, raw in handler.messages)
