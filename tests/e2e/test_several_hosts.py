"""Several hosts on one PostgreSQL database: two `caredesk serve` and two `caredesk worker` processes, as on
two machines, under load. Every follow-up step is taken once and every outbound message is sent once.

Runs on a database of its own beside CAREDESK_TEST_DATABASE_URL's (its name plus `_several_hosts`), made
afresh; skipped without that URL (failed instead when CAREDESK_REQUIRE_E2E=1).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.channel_peers import free_port, peer_smtp_server, wait_until
from tests.e2e.conftest import unavailable
from tests.e2e.installation import (FAST_SUPERVISION, ReplyLoad, create_ticket, delivered_message_ids, install,
                                    wait_healthy, wait_live)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FOLLOWED_TICKETS = 60
# Tickets set pending three weeks ago by the real actions on a moved clock: every step of the general
# follow-up (days 1 to 5, and the close on day 6) is due when the workers start.
SEED = """
import sys
from datetime import timedelta

import django

django.setup()
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.models import Agent
from caredesk.customers.actions import create_customer
from caredesk.tickets.actions import create_ticket, update_ticket
from caredesk.tickets.models import TicketType

maria = Agent.objects.get(username="maria")
actor, kind = Actor.of_agent(maria), TicketType.objects.get(key="general_inquiry")
with clock.frozen_at(clock.now() - timedelta(days=21)):
    for number in range(int(sys.argv[1])):
        customer = create_customer(actor=actor, name=f"Customer {number}", emails=[f"followed-{number}@example.com"])
        ticket = create_ticket(actor=actor, requester=customer, subject=f"Followed {number}", assignee=maria,
                               description="Waiting for the customer's documents.", ticket_type=kind)
        update_ticket(ticket, actor=actor, status="pending")
"""
CLOSING_NOTE = "customer unresponsive - closing ticket"  # the general follow-up's note on day 6


@pytest.fixture
def database_url():
    url = os.environ.get("CAREDESK_TEST_DATABASE_URL")
    if not url:
        unavailable("CAREDESK_TEST_DATABASE_URL is not set (a PostgreSQL database for several processes)")
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name.split('?')[0]}_several_hosts"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str, sql: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchall()


def test_two_serve_and_two_worker_processes_share_one_database(database_url, tmp_path):
    with peer_smtp_server() as (peer_port, peer):
        installation = install(tmp_path / "home", CAREDESK_DATABASE_URL=database_url,
                               CAREDESK_SMTP_HOST="127.0.0.1", CAREDESK_SMTP_PORT=str(peer_port),
                               CAREDESK_SMTP_SECURITY="none", **FAST_SUPERVISION)
        seeded = subprocess.run([sys.executable, "-c", SEED, str(FOLLOWED_TICKETS)], env=installation.env,
                                capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr
        ports = [free_port(), free_port()]
        try:
            for host, port in enumerate(ports):
                installation.start("serve", "--port", str(port), "--workers", "2", log=tmp_path / f"serve-{host}.log")
            for port in ports:
                wait_live(port)
            tickets = [create_ticket(ports[0], installation.token, f"Busy {number}") for number in range(2)]
            loads = [ReplyLoad(ports, installation.token, ticket, f"host-{number}")
                     for number, ticket in enumerate(tickets)]
            for load in loads:
                load.start()
            for host in range(2):
                installation.start("worker", log=tmp_path / f"worker-{host}.log")
            for load in loads:
                load.wait_for(25)
                load.stop()

            def settled():
                return not rows(database_url, "SELECT 1 FROM playbooks_playbookrun WHERE status = 'running' UNION ALL "
                                "SELECT 1 FROM channels_outboundmessage WHERE status != 'sent'")

            wait_until(settled, timeout=45, interval=0.5, what="every follow-up to end and every reply to be sent")

            def both_workers_beating():
                # A beat is "a sweep finished"; on a loaded machine one sweep may outlast the health window once.
                body = wait_healthy(ports[1])
                return body if body["components"]["worker"]["processes"] == 2 else None

            body = wait_until(both_workers_beating, timeout=30, interval=0.5,
                              what="both workers' heartbeats in the second host's health")
            assert body["components"]["database"]["vendor"] == "postgresql"
        finally:
            installation.stop()

        # Each followed ticket: the same follow-up tasks (one per attempt step), one end, one closing note.
        tasks = rows(database_url, "SELECT run_id, count(*), count(DISTINCT step_key) FROM playbooks_followuptask "
                     "GROUP BY run_id")
        assert len(tasks) == FOLLOWED_TICKETS and {(count, steps) for _, count, steps in tasks} == {(3, 3)}
        ends = rows(database_url, "SELECT ticket_id, count(*) FROM tickets_ticketevent WHERE action = 'playbook.ended' "
                    "GROUP BY ticket_id")
        assert len(ends) == FOLLOWED_TICKETS and {count for _, count in ends} == {1}
        notes = rows(database_url, "SELECT ticket_id, count(*) FROM tickets_interaction WHERE kind = 'note' "
                     "AND body = %s GROUP BY ticket_id", CLOSING_NOTE)
        assert len(notes) == FOLLOWED_TICKETS and {count for _, count in notes} == {1}

        sent = rows(database_url, "SELECT o.message_id, i.body FROM channels_outboundmessage o "
                    "JOIN tickets_interaction i ON o.interaction_id = i.id WHERE o.ticket_id = ANY(%s)", tickets)
        acknowledged = [body for load in loads for body in load.acknowledged]
        assert sorted(body for _, body in sent) == sorted(acknowledged)
        delivered = delivered_message_ids(peer)
        assert {message_id.strip("<>"): 1 for message_id, _ in sent} == {
            message_id: count for message_id, count in delivered.items()
            if message_id in {sent_id.strip("<>") for sent_id, _ in sent}}
        assert all(count == 1 for count in delivered.values())
