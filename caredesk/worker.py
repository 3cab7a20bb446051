"""The background worker: runs every due-time sweep on an interval until stopped.

Each job is idempotent and safe to run in several workers at once (rule 4 of DESIGN.md); the worker only
decides when to call them. Apps register nothing here: this module is the shell that composes them.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from django.db import close_old_connections

from caredesk.analytics.actions import refresh_due as refresh_report_facts
from caredesk.channels.inbound import process_pending as process_inbound_email
from caredesk.channels.outbox import deliver_due as deliver_outbound_messages
from caredesk.core import heartbeats
from caredesk.escalations.actions import seconds_until_next_transfer_due
from caredesk.escalations.actions import sweep_due as move_on_due_transfers
from caredesk.playbooks.runner import sweep_all as run_due_playbook_steps
from caredesk.recordings.actions import delete_expired as delete_expired_recordings
from caredesk.recordings.actions import download_due as download_recordings
from caredesk.search.actions import merge as merge_search_index
from caredesk.sla.actions import sweep_due as record_due_sla_warnings_and_breaches
from caredesk.surveys.actions import send_due as send_due_surveys
from caredesk.tickets.actions import close_solved_tickets

logger = logging.getLogger("caredesk.worker")

Job = Callable[[], int]
PASS_BUDGET_SECONDS = 5.0  # a long backlog is worked in slices, so a stop request is seen within seconds


def jobs() -> list[tuple[str, Job]]:
    """The sweeps one pass runs, in order; each returns how many items it handled."""
    return [
        ("inbound email", process_inbound_email),
        ("escalation transfers", move_on_due_transfers),
        ("playbook steps", lambda: run_due_playbook_steps(budget_seconds=PASS_BUDGET_SECONDS)),
        ("SLA warnings and breaches", lambda: record_due_sla_warnings_and_breaches(budget_seconds=PASS_BUDGET_SECONDS)),
        ("close solved tickets", close_solved_tickets),
        ("satisfaction surveys", send_due_surveys),
        ("report facts", refresh_report_facts),
        ("outbound messages", deliver_outbound_messages),
        ("recording downloads", download_recordings),
        ("recording retention", delete_expired_recordings),
        ("search index merging", merge_search_index),
    ]


def run_once() -> dict[str, int]:
    """One pass over every job, then the worker's heartbeat (its "last sweep finished at"). A failing job is
    logged and does not stop the others."""
    done: dict[str, int] = {}
    for name, job in jobs():
        try:
            done[name] = job()
        except Exception:
            logger.exception("worker job %r failed; it will run again on the next pass", name)
            done[name] = 0
        finally:
            close_old_connections()
    heartbeats.beat(heartbeats.WORKER)
    return done


def run_forever(interval_seconds: float, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()

    def request_stop(signum, frame):
        logger.info("worker stopping after this pass (signal %s)", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    logger.info("worker started; sweeping every %ss", interval_seconds)
    while not stop.is_set():
        handled = run_once()
        if any(handled.values()):
            logger.info("worker pass: %s", ", ".join(f"{name}: {count}" for name, count in handled.items()))
            continue  # more may be due already: sleep only when a pass found nothing to do
        stop.wait(pause(interval_seconds))


def pause(interval_seconds: float) -> float:
    """How long to sleep: the interval, or less when a warm transfer's rung falls due sooner (its 30 seconds
    then end on time rather than up to an interval late)."""
    try:
        transfer = seconds_until_next_transfer_due()
    except Exception:
        logger.exception("could not read when the next transfer rung falls due")
        transfer = None
    finally:
        close_old_connections()
    return interval_seconds if transfer is None else max(0.0, min(interval_seconds, transfer))
