"""Heartbeats: each long-running process records, now and then, that it is alive and working, in a table every
process on every host can read (`/api/v1/health`). A process that stops beating is down or stuck."""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Q

from caredesk.core import clock
from caredesk.core.models import Heartbeat

logger = logging.getLogger("caredesk.heartbeats")
WORKER = "worker"  # beats after each sweep: its beat is "last sweep finished at"
SMTP_RECEIVER = "smtp receiver"
INBOUND_PROCESSING = "inbound processing"  # the SMTP receiver's processing process
IMAP_POLLER_PREFIX = "imap poller: "  # one component per mailbox: it beats while connected (fetching or in IDLE)
FORGET_AFTER = timedelta(days=1)  # rows of processes gone this long are deleted

_started_at: dict[str, datetime] = {}
_last_beat: dict[str, float] = {}  # component -> monotonic time of this process's last recorded beat


def imap_poller(mailbox_name: str) -> str:
    """The heartbeat component of the IMAP poller of one mailbox."""
    return IMAP_POLLER_PREFIX + mailbox_name


def beat(component: str, *, at_most_every: float | None = None) -> None:
    """Record that this process's `component` is alive. At most once per `at_most_every` seconds (default
    CAREDESK_HEARTBEAT_SECONDS); a database error is logged, never raised: work goes on without the beat."""
    interval = settings.HEARTBEAT_SECONDS if at_most_every is None else at_most_every
    moment = time.monotonic()
    if component in _last_beat and moment - _last_beat[component] < interval:
        return
    now = clock.now()
    first = component not in _started_at
    started_at = _started_at.setdefault(component, now)
    try:
        Heartbeat.objects.bulk_create(
            [Heartbeat(component=component, host=socket.gethostname(), pid=os.getpid(), started_at=started_at,
                       beat_at=now)],
            update_conflicts=True, unique_fields=["component", "host", "pid"], update_fields=["beat_at"])
        if first:
            Heartbeat.objects.filter(component=component, beat_at__lt=now - FORGET_AFTER).delete()
    except DatabaseError:
        logger.warning("could not record the %s heartbeat", component, exc_info=True)
        return
    _last_beat[component] = moment


def latest(within: timedelta) -> dict[str, tuple[datetime, int]]:
    """component -> (its latest beat, how many processes beat within `within` of now)."""
    since = clock.now() - within
    rows = Heartbeat.objects.values("component").annotate(
        last=Max("beat_at"), alive=Count("pk", filter=Q(beat_at__gte=since)))
    return {row["component"]: (row["last"], row["alive"]) for row in rows}
