"""The IMAP poller (imapclient): fetch new messages of each configured mailbox, store them, process them.

Each message is fetched once by UID: the highest stored UID is kept per mailbox under its UIDVALIDITY (a new
UIDVALIDITY starts again from the first message; stored rows are unique per mailbox, UIDVALIDITY and UID, and
duplicate Message-IDs are ignored, so nothing is ticketed twice). Messages are read with BODY.PEEK and left in
the mailbox unchanged. Between fetches the poller waits in IDLE where the server offers it, else polls.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time

from django.conf import settings
from django.db import close_old_connections, transaction
from imapclient import IMAPClient

from caredesk.channels import actions, inbound
from caredesk.channels.config import ImapMailbox
from caredesk.channels.models import ImapMailboxState, InboundMessage
from caredesk.core import heartbeats

logger = logging.getLogger("caredesk.channels.imap")
BATCH_BYTES = 20 * 1024 * 1024  # fetch several small messages per round trip, a large one alone
BATCH_MESSAGES = 50
IDLE_CHECK_SECONDS = 5
MAXIMUM_RECONNECT_DELAY = 300


def connect(mailbox: ImapMailbox) -> IMAPClient:
    """A logged-in client. TLS (implicit or STARTTLS) verifies the server against the system or `ca_file`."""
    context = ssl.create_default_context(cafile=mailbox.ca_file)
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.security == "tls", ssl_context=context,
                        timeout=60)
    if mailbox.security == "starttls":
        client.starttls(context)
    client.login(mailbox.username, mailbox.password)
    return client


def poll_once(mailbox: ImapMailbox) -> int:
    client = connect(mailbox)
    try:
        return fetch_new(client, mailbox)
    finally:
        client.logout()


def fetch_new(client: IMAPClient, mailbox: ImapMailbox) -> int:
    """Store and process every message above the last stored UID. Returns how many were stored."""
    uidvalidity = client.select_folder(mailbox.folder)[b"UIDVALIDITY"]
    state = ImapMailboxState.objects.filter(name=mailbox.name).first()
    last_uid = state.last_uid if state is not None and state.uidvalidity == uidvalidity else 0
    uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    if not uids:
        actions.save_imap_position(mailbox.name, uidvalidity=uidvalidity, last_uid=last_uid)
        return 0
    sizes = {uid: data[b"RFC822.SIZE"] for uid, data in client.fetch(uids, ["RFC822.SIZE"]).items()}
    too_large = {uid for uid in uids if sizes.get(uid, 0) > settings.EMAIL_MAX_BYTES}
    for uid in sorted(too_large):
        logger.warning("%s: UID %s is %s bytes, over CAREDESK_EMAIL_MAX_BYTES; left in the mailbox, not fetched",
                       mailbox.name, uid, sizes[uid])
    known = set(InboundMessage.objects.filter(mailbox=mailbox.name, uidvalidity=uidvalidity, uid__in=uids)
                .values_list("uid", flat=True))  # stored before a crash kept the position from moving
    stored = 0
    wanted = [(uid, sizes.get(uid, 0)) for uid in uids if uid not in too_large and uid not in known]
    for batch in inbound.batches(wanted, most=BATCH_MESSAGES, most_bytes=BATCH_BYTES):
        fetched = client.fetch(batch, ["BODY.PEEK[]"])
        with transaction.atomic():  # one commit for the fetch batch
            rows = [
                actions.store_inbound(fetched[uid][b"BODY[]"], source=InboundMessage.Source.IMAP,
                                      mailbox=mailbox.name, uidvalidity=uidvalidity, uid=uid)
                for uid in batch if fetched.get(uid, {}).get(b"BODY[]")
            ]
        actions.save_imap_position(mailbox.name, uidvalidity=uidvalidity, last_uid=batch[-1])
        for group in inbound.batches([(row.pk, row.size) for row in rows]):
            inbound.process_batch(group)
        stored += len(rows)
    actions.save_imap_position(mailbox.name, uidvalidity=uidvalidity, last_uid=uids[-1])
    return stored


def watch(mailbox: ImapMailbox, stop: threading.Event) -> None:
    """Fetch, then wait for news (IDLE, or sleep CAREDESK_IMAP_POLL_SECONDS), until `stop` is set.
    Connection failures are logged and retried with a growing delay."""
    delay = 5
    while not stop.is_set():
        try:
            client = connect(mailbox)
        except Exception as error:
            logger.warning("%s: cannot connect to %s:%s: %s", mailbox.name, mailbox.host, mailbox.port, error)
            stop.wait(delay)
            delay = min(delay * 2, MAXIMUM_RECONNECT_DELAY)
            continue
        delay = 5
        try:
            idle = b"IDLE" in client.capabilities()
            while not stop.is_set():
                fetch_new(client, mailbox)
                heartbeats.beat(heartbeats.imap_poller(mailbox.name))
                close_old_connections()
                if idle:
                    _idle(client, stop)
                else:
                    stop.wait(settings.IMAP_POLL_SECONDS)
        except Exception:
            logger.exception("%s: polling failed; reconnecting", mailbox.name)
            stop.wait(delay)
        finally:
            try:
                client.logout()
            except Exception:
                pass


def _idle(client: IMAPClient, stop: threading.Event) -> None:
    """Wait in IDLE until the server reports a change, `stop` is set, or CAREDESK_IMAP_IDLE_SECONDS pass."""
    deadline = time.monotonic() + settings.IMAP_IDLE_SECONDS
    client.idle()
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            if client.idle_check(timeout=IDLE_CHECK_SECONDS):
                return
            heartbeats.beat(heartbeats.imap_poller(mailbox.name))  # connected and waiting is alive too
    finally:
        client.idle_done()
