"""`caredesk smtpd` and `caredesk imap`, and the channel processes `caredesk serve` starts beside the web server."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the channel commands to the `caredesk` command."""
    app.command()(smtpd)
    app.command()(imap)


def companion_commands() -> list[list[str]]:
    """The channel processes `caredesk serve` runs too: the SMTP receiver when enabled, the IMAP poller when
    mailboxes are configured. Call after Django is set up."""
    from django.conf import settings

    commands = []
    if settings.SMTPD_ENABLED:
        commands.append([sys.executable, "-m", "caredesk.cli", "smtpd"])
    if settings.IMAP_MAILBOXES.strip():
        commands.append([sys.executable, "-m", "caredesk.cli", "imap"])
    return commands


def _wait_for_stop() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def smtpd(
    host: Optional[str] = typer.Option(None, help="Address to listen on (default CAREDESK_SMTPD_HOST, loopback)."),
    port: Optional[int] = typer.Option(None, help="Port to listen on (default CAREDESK_SMTPD_PORT, 2525)."),
):
    """Receive email over SMTP: each message is stored before it is acknowledged, then becomes a ticket."""
    from caredesk.cli import console, ensure_database_ready, setup_django

    setup_django()
    from django.conf import settings

    from caredesk.channels.smtpd import SmtpReceiver

    ensure_database_ready()
    receiver = SmtpReceiver(host=host or settings.SMTPD_HOST, port=port or settings.SMTPD_PORT,
                            max_bytes=settings.EMAIL_MAX_BYTES, separate_processing=True)
    receiver.start()
    console.print(f"SMTP receiver on {receiver.controller.hostname}:{receiver.controller.port}", highlight=False)
    try:
        _wait_for_stop()
    finally:
        receiver.stop()


def imap(once: bool = typer.Option(False, "--once", help="Fetch what is waiting in every mailbox, then exit.")):
    """Fetch email from the mailboxes in CAREDESK_IMAP_MAILBOXES (IDLE where the server offers it)."""
    from caredesk.cli import console, ensure_database_ready, fail, setup_django

    setup_django()
    from django.core.exceptions import ImproperlyConfigured

    from caredesk.channels import imap as poller
    from caredesk.channels.config import imap_mailboxes

    ensure_database_ready()
    try:
        mailboxes = imap_mailboxes()
    except ImproperlyConfigured as error:
        fail(str(error))
    if not mailboxes:
        fail("no mailboxes configured; set CAREDESK_IMAP_MAILBOXES.")
    if once:
        for mailbox in mailboxes:
            console.print(f"{mailbox.name}: {poller.poll_once(mailbox)} new message(s)", highlight=False)
        return
    stop = threading.Event()
    threads = [threading.Thread(target=poller.watch, args=(mailbox, stop), name=f"imap-{mailbox.name}", daemon=True)
               for mailbox in mailboxes]
    for thread in threads:
        thread.start()
    try:
        _wait_for_stop()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
