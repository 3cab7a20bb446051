"""The health of an installation, component by component, for `GET /api/v1/health`: the database, the
background worker's last sweep, the outbox's oldest message not yet sent, the inbound queue's oldest
unprocessed message, when CAREDESK_SMTPD_ENABLED is on the SMTP receiver and its processing process, and the
IMAP poller of each mailbox in CAREDESK_IMAP_MAILBOXES.
Each is unhealthy past a threshold (CAREDESK_HEALTH_*); heartbeats come from every host, through the
database (`core/heartbeats.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min

from caredesk.channels.config import imap_mailboxes
from caredesk.channels.models import InboundMessage, OutboundMessage
from caredesk.core import clock, heartbeats

OK, UNHEALTHY = "ok", "unhealthy"


def _age(since: datetime | None, now: datetime) -> float | None:
    return None if since is None else round(max(0.0, (now - since).total_seconds()), 3)


def _heartbeat(beats: dict, component: str, limit: float, now: datetime, last_name: str) -> dict:
    last, alive = beats.get(component, (None, 0))
    age = _age(last, now)
    return {"status": OK if age is not None and age <= limit else UNHEALTHY, last_name: last, "age_seconds": age,
            "processes": alive, "threshold_seconds": limit}


def _oldest(age: float | None, limit: float, name: str) -> dict:
    return {"status": OK if age is None or age <= limit else UNHEALTHY, name: age, "threshold_seconds": limit}


def components() -> dict[str, dict]:
    """Each component's state; every value is JSON-ready but datetimes."""
    now = clock.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beats = heartbeats.latest(timedelta(seconds=settings.HEALTH_HEARTBEAT_SECONDS))
        oldest_outbound = OutboundMessage.objects.filter(
            status__in=[OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENDING]).aggregate(
            oldest=Min("created_at"))["oldest"]
        oldest_inbound = InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED).aggregate(
            oldest=Min("received_at"))["oldest"]
    except DatabaseError as error:
        return {"database": {"status": UNHEALTHY, "error": str(error).strip()}}
    report = {
        "database": {"status": OK, "vendor": connection.vendor},
        "worker": _heartbeat(beats, heartbeats.WORKER, settings.HEALTH_SWEEP_SECONDS, now,
                             "last_sweep_finished_at"),
        "outbox": _oldest(_age(oldest_outbound, now), settings.HEALTH_OUTBOX_SECONDS, "oldest_queued_age_seconds"),
        "inbound": _oldest(_age(oldest_inbound, now), settings.HEALTH_INBOUND_SECONDS,
                           "oldest_unprocessed_age_seconds"),
    }
    if settings.SMTPD_ENABLED:
        for name, component in (("smtp_receiver", heartbeats.SMTP_RECEIVER),
                                ("inbound_processing", heartbeats.INBOUND_PROCESSING)):
            report[name] = _heartbeat(beats, component, settings.HEALTH_HEARTBEAT_SECONDS, now, "last_seen_at")
    for mailbox in imap_mailboxes():  # a poller beats after each fetch, and in IDLE: a poll interval plus slack
        report[f"imap:{mailbox.name}"] = _heartbeat(
            beats, heartbeats.imap_poller(mailbox.name),
            settings.HEALTH_HEARTBEAT_SECONDS + settings.IMAP_POLL_SECONDS, now, "last_seen_at")
    return report


def check() -> tuple[bool, dict]:
    """(healthy, the body of `GET /api/v1/health`)."""
    report = components()
    healthy = all(component["status"] == OK for component in report.values())
    return healthy, {"status": OK if healthy else UNHEALTHY, "checked_at": clock.now(), "components": report}
