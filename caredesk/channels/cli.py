"""`caredesk smtpd` and `caredesk imap`, and the channel processes `caredesk serve` starts beside the web server."""

from __future__ import annotations

import signal
import threading
from typing import Optional

import typer

from caredesk.core.commands import caredesk_command, console, ensure_database_ready, fail, setup_django


def register(app: typer.Typer) -> None:
    """Add the channel commands to the `caredesk` command."""
    app.command()(smtpd)
    app.command()(imap)


def companion_commands() -> dict[str, list[str]]:
    """The channel processes `caredesk serve` runs too, by name: the SMTP receiver when enabled, the IMAP
    poller when mailboxes are configured. Call after Django is set up."""
    from django.conf import settings

    commands = {}
    if settings.SMTPD_ENABLED:
        commands["smtpd"] = caredesk_command("smtpd")
    if settings.IMAP_MAILBOXES.strip():
        commands["imap"] = caredesk_command("imap")
    return commands


def _wait_for_stop(alive=lambda: True, every: float = 1.0) -> bool:
    """Wait for SIGTERM or SIGINT (True), or until `alive()` turns false (False), checked every `every` s."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(every):
        if not alive():
            return False
    return True


def smtpd(
    host: Optional[str] = typer.Option(None, help="Address to listen on (default CAREDESK_SMTPD_HOST, loopback)."),
    port: Optional[int] = typer.Option(None, help="Port to listen on (default CAREDESK_SMTPD_PORT, 2525)."),
):
    """Receive email over SMTP: each message is stored before it is acknowledged, then becomes a ticket.

    Runs in the foreground until SIGTERM or SIGINT; exits with 1 when it cannot listen or its storing thread
    dies, so that `caredesk serve` or systemd starts it again.
    """
    setup_django()
    from django.conf import settings

    from caredesk.channels.smtpd import SmtpReceiver

    ensure_database_ready()
    receiver = SmtpReceiver(host=host or settings.SMTPD_HOST, port=port or settings.SMTPD_PORT,
                            max_bytes=settings.EMAIL_MAX_BYTES, separate_processing=True)
    try:
        receiver.start()
    except (OSError, RuntimeError) as error:  # the port is taken, or aiosmtpd could not start its server
        fail(f"the SMTP receiver cannot listen on {receiver.controller.hostname}:{receiver.controller.port}: {error}")
    console.print(f"SMTP receiver on {receiver.controller.hostname}:{receiver.controller.port}", highlight=False)
    try:
        stopped = _wait_for_stop(receiver.is_running)
    finally:
        receiver.stop()
    if not stopped:
        fail("the SMTP receiver's storing thread stopped; exiting so that it is started again")


def imap(once: bool = typer.Option(False, "--once", help="Fetch what is waiting in every mailbox, then exit.")):
    """Fetch email from the mailboxes in CAREDESK_IMAP_MAILBOXES (IDLE where the server offers it).

    Run one poller per mailbox (docs/deployment.md); it stops cleanly on SIGTERM or SIGINT.
    """
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
