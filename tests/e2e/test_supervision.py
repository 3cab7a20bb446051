"""kill -9 under load, one process at a time, of a real `caredesk serve` (SQLite, the SMTP receiver on, outbound
mail to a peer server): the background worker, the SMTP receiver, its processing process and a gunicorn
worker. Each comes back by itself, `/api/v1/health` answers 503 naming the component while it is down, the
supervisor logs the death, and no acknowledged message or reply is lost or doubled."""

from __future__ import annotations

import os
import signal
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.channel_peers import free_port, peer_smtp_server, wait_until
from tests.e2e.installation import (FAST_SUPERVISION, Installation, MailLoad, ReplyLoad, child, children,
                                    create_ticket, delivered_message_ids, health, install, wait_healthy)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@dataclass
class Served:
    installation: Installation
    serve_pid: int
    web_port: int
    smtp_port: int
    database: Path
    log: Path
    peer: object

    def query(self, sql: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.database, timeout=30)) as connection:
            return connection.execute(sql, params).fetchall()

    def child(self, marker: str) -> int | None:
        return child(self.serve_pid, marker)

    def outage_seen(self, component: str) -> dict:
        """Health while `component` is down: 503 with that component unhealthy."""
        def unhealthy():
            status, body = health(self.web_port)
            return body if status == 503 and body["components"][component]["status"] == "unhealthy" else None

        return wait_until(unhealthy, timeout=20, interval=0.1, what=f"health to show {component} down")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("supervised")
    with peer_smtp_server() as (peer_port, peer):
        web_port, smtp_port = free_port(), free_port()
        installation = install(root / "home", CAREDESK_SMTPD_ENABLED="true", CAREDESK_SMTPD_PORT=str(smtp_port),
                               CAREDESK_SMTP_HOST="127.0.0.1", CAREDESK_SMTP_PORT=str(peer_port),
                               CAREDESK_SMTP_SECURITY="none", **FAST_SUPERVISION,
                               CAREDESK_OUTBOX_LEASE_SECONDS="10")  # what a killed worker claimed: sent 10 s on
        log = root / "serve.log"
        serve = installation.start("serve", "--port", str(web_port), "--workers", "2", log=log)
        try:
            wait_healthy(web_port)
            yield Served(installation, serve.pid, web_port, smtp_port, root / "home" / "caredesk.sqlite3", log, peer)
        finally:
            installation.stop()


def assert_replies_sent_once(served: Served, ticket_id: int, replies: ReplyLoad, *, in_flight: int) -> None:
    """Every acknowledged reply is on the ticket once and delivered; an unanswered one at most once. A kill in
    the middle of an SMTP conversation can repeat the message being sent (`in_flight`), with its Message-ID."""
    wait_until(lambda: not served.query("SELECT 1 FROM channels_outboundmessage WHERE ticket_id = ? AND status != "
                                        "'sent' LIMIT 1", ticket_id), timeout=30, what="every reply to be sent")
    rows = served.query("SELECT i.body, o.message_id FROM channels_outboundmessage o JOIN tickets_interaction i "
                        "ON o.interaction_id = i.id WHERE o.ticket_id = ?", ticket_id)
    bodies = [body for body, _ in rows]
    assert len(bodies) == len(set(bodies))
    assert set(replies.acknowledged) <= set(bodies) <= set(replies.acknowledged) | set(replies.unanswered)
    delivered = delivered_message_ids(served.peer)
    sent = [message_id.strip("<>") for _, message_id in rows]
    assert all(delivered[message_id] >= 1 for message_id in sent)
    assert sum(delivered[message_id] - 1 for message_id in sent) <= in_flight


def assert_mail_stored_once(served: Served, mail: MailLoad) -> None:
    """Every acknowledged message is stored once and processed onto a timeline entry of its own."""
    wait_until(lambda: not served.query("SELECT 1 FROM channels_inboundmessage WHERE status = 'received' LIMIT 1"),
               timeout=30, what="every stored message to be processed")
    rows = served.query("SELECT message_id, status, interaction_id FROM channels_inboundmessage "
                        "WHERE message_id LIKE ?", f"%{mail.tag}-%")
    stored = [message_id.strip("<>") for message_id, _, _ in rows]
    assert len(stored) == len(set(stored))
    assert set(mail.acknowledged) <= set(stored) <= set(mail.acknowledged) | set(mail.unanswered)
    assert {status for _, status, _ in rows} == {"processed"}
    assert len({interaction for _, _, interaction in rows}) == len(rows)


def test_kill_9_of_the_background_worker(served):
    ticket_id = create_ticket(served.web_port, served.installation.token, "Worker kill")
    replies = ReplyLoad([served.web_port], served.installation.token, ticket_id, "worker-kill")
    replies.start()
    replies.wait_for(10)
    worker = served.child("caredesk.cli worker")
    os.kill(worker, signal.SIGKILL)

    outage = served.outage_seen("worker")
    assert outage["components"]["database"]["status"] == "ok"
    wait_until(lambda: served.child("caredesk.cli worker") not in (None, worker), what="a new worker")
    wait_healthy(served.web_port)
    replies.wait_for(10)
    replies.stop()
    assert_replies_sent_once(served, ticket_id, replies, in_flight=1)
    log = served.log.read_text()
    assert f"worker (pid {worker}) was killed by SIGKILL" in log and "worker started again" in log


def test_kill_9_of_the_smtp_receiver(served):
    mail = MailLoad(served.smtp_port, "receiver-kill")
    mail.start()
    mail.wait_for(20)
    receiver = served.child("caredesk.cli smtpd")
    os.kill(receiver, signal.SIGKILL)

    outage = served.outage_seen("smtp_receiver")
    assert outage["components"]["worker"]["status"] == "ok"
    wait_until(lambda: served.child("caredesk.cli smtpd") not in (None, receiver), what="a new receiver")
    wait_healthy(served.web_port)
    mail.wait_for(20)
    mail.stop()
    assert_mail_stored_once(served, mail)
    assert f"smtpd (pid {receiver}) was killed by SIGKILL" in served.log.read_text()


def test_kill_9_of_the_inbound_processing_process(served):
    receiver = served.child("caredesk.cli smtpd")
    processing = child(receiver, "spawn_main")
    mail = MailLoad(served.smtp_port, "processing-kill")
    mail.start()
    mail.wait_for(20)
    os.kill(processing, signal.SIGKILL)

    outage = served.outage_seen("inbound_processing")
    assert outage["components"]["smtp_receiver"]["status"] == "ok"
    wait_until(lambda: child(receiver, "spawn_main") not in (None, processing), what="a new processing process")
    wait_healthy(served.web_port)
    mail.wait_for(20)
    mail.stop()
    assert_mail_stored_once(served, mail)
    assert served.child("caredesk.cli smtpd") == receiver  # the receiver itself went on receiving
    assert f"inbound processing process (pid {processing}) was killed by SIGKILL" in served.log.read_text()


def test_kill_9_of_a_gunicorn_worker(served):
    """gunicorn's arbiter replaces its worker; the other worker answers meanwhile, so health stays reachable."""
    web = served.child("caredesk.cli web")
    ticket_id = create_ticket(served.web_port, served.installation.token, "Web worker kill")
    replies = ReplyLoad([served.web_port], served.installation.token, ticket_id, "web-kill")
    replies.start()
    replies.wait_for(10)
    before = {pid for pid, _ in children(web)}
    killed = sorted(before)[0]
    os.kill(killed, signal.SIGKILL)

    wait_until(lambda: len({pid for pid, _ in children(web)} - before) == 1, what="a new gunicorn worker")
    assert killed not in {pid for pid, _ in children(web)}
    replies.wait_for(10)
    replies.stop()
    assert health(served.web_port)[0] == 200
    assert_replies_sent_once(served, ticket_id, replies, in_flight=0)
    assert f"Worker (pid:{killed}) was sent SIGKILL" in served.log.read_text()
    assert served.child("caredesk.cli web") == web
