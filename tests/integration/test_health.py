"""`GET /api/v1/health`: each component's state from heartbeats and queue ages, 503 past a threshold; and the
cheap liveness route beside it."""

from __future__ import annotations

from datetime import timedelta

from caredesk.channels.actions import store_inbound
from caredesk.channels.models import InboundMessage
from caredesk.core import heartbeats
from tests.integration.channels.conftest import email_bytes


def components(client):
    response = client.get("/api/v1/health")
    return response.status_code, response.json()


def test_liveness_needs_no_token_and_no_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_without_a_worker_the_installation_is_unhealthy(client, db, frozen_clock):
    status, body = components(client)
    assert status == 503 and body["status"] == "unhealthy"
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["worker"] == {"status": "unhealthy", "last_sweep_finished_at": None,
                                            "age_seconds": None, "processes": 0, "threshold_seconds": 120.0}


def test_a_worker_that_stops_sweeping_turns_health_to_503(client, db, frozen_clock, settings):
    heartbeats.beat(heartbeats.WORKER, at_most_every=0)
    status, body = components(client)
    assert status == 200 and body["status"] == "ok"
    assert body["components"]["worker"]["processes"] == 1
    assert body["components"]["worker"]["last_sweep_finished_at"] == "2026-03-02T14:00:00Z"

    frozen_clock.advance(timedelta(seconds=settings.HEALTH_SWEEP_SECONDS + 1))
    status, body = components(client)
    assert status == 503 and body["components"]["worker"]["status"] == "unhealthy"
    assert body["components"]["worker"]["age_seconds"] == settings.HEALTH_SWEEP_SECONDS + 1

    heartbeats.beat(heartbeats.WORKER, at_most_every=0)  # a new pass: the same process's row moves on
    assert components(client)[0] == 200


def test_mail_waiting_past_its_threshold_is_unhealthy(client, db, frozen_clock, settings):
    settings.HEALTH_SWEEP_SECONDS = 10_000
    heartbeats.beat(heartbeats.WORKER, at_most_every=0)
    store_inbound(email_bytes(subject="Waiting"), source=InboundMessage.Source.SMTP)
    frozen_clock.advance(timedelta(seconds=60))
    status, body = components(client)
    assert status == 200 and body["components"]["inbound"]["oldest_unprocessed_age_seconds"] == 60
    assert body["components"]["outbox"]["oldest_queued_age_seconds"] is None

    frozen_clock.advance(timedelta(seconds=settings.HEALTH_INBOUND_SECONDS))
    status, body = components(client)
    assert status == 503 and body["components"]["inbound"]["status"] == "unhealthy"
    assert body["components"]["worker"]["status"] == "ok"


def test_the_smtp_receiver_is_reported_when_it_is_on(client, db, frozen_clock, settings):
    heartbeats.beat(heartbeats.WORKER, at_most_every=0)
    assert "smtp_receiver" not in components(client)[1]["components"]

    settings.SMTPD_ENABLED = True
    status, body = components(client)
    assert status == 503
    assert body["components"]["smtp_receiver"]["status"] == "unhealthy"
    assert body["components"]["inbound_processing"]["status"] == "unhealthy"

    heartbeats.beat(heartbeats.SMTP_RECEIVER, at_most_every=0)
    heartbeats.beat(heartbeats.INBOUND_PROCESSING, at_most_every=0)
    assert components(client)[0] == 200


def test_each_imap_mailbox_poller_is_reported_with_a_poll_interval_of_slack(client, db, frozen_clock, settings):
    heartbeats.beat(heartbeats.WORKER, at_most_every=0)
    assert not any(name.startswith("imap:") for name in components(client)[1]["components"])

    settings.IMAP_MAILBOXES = '[{"name": "support", "host": "imap.example.org", "username": "u", "password": "p"}]'
    status, body = components(client)
    assert status == 503 and body["components"]["imap:support"]["status"] == "unhealthy"

    heartbeats.beat(heartbeats.imap_poller("support"), at_most_every=0)
    status, body = components(client)
    assert status == 200 and body["components"]["imap:support"]["processes"] == 1
    limit = settings.HEALTH_HEARTBEAT_SECONDS + settings.IMAP_POLL_SECONDS
    assert body["components"]["imap:support"]["threshold_seconds"] == limit

    frozen_clock.advance(timedelta(seconds=limit - 1))
    assert components(client)[0] == 200
    frozen_clock.advance(timedelta(seconds=2))
    assert components(client)[1]["components"]["imap:support"]["status"] == "unhealthy"


def test_a_worker_pass_is_its_heartbeat(client, transactional_db, settings):
    from caredesk import worker

    settings.HEARTBEAT_SECONDS = 0
    worker.run_once()
    status, body = components(client)
    assert status == 200 and body["components"]["worker"]["processes"] == 1
