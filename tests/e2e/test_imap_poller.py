"""The IMAP poller against a real Debian dovecot on loopback (TLS with a throwaway certificate authority).

The test starts its own dovecot with a generated configuration in a temporary directory. Without dovecot the
tests skip, unless CAREDESK_REQUIRE_E2E=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from imapclient import IMAPClient

from caredesk.channels import imap
from caredesk.channels.config import ImapMailbox, imap_mailboxes
from caredesk.channels.models import ImapMailboxState, InboundMessage
from caredesk.core import heartbeats
from caredesk.core.models import Heartbeat
from caredesk.tickets.models import Ticket
from tests.e2e.channel_peers import CORPUS, free_port, wait_for_port, wait_until
from tests.integration.channels.conftest import FIXTURE_SECRET, email_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "imap-test-password"


def _missing(reason: str):
    if os.environ.get("CAREDESK_REQUIRE_E2E") == "1":
        pytest.fail(f"{reason} (CAREDESK_REQUIRE_E2E=1)")
    pytest.skip(reason)


def _config(root: Path, port: int, uid: int, gid: int, login_user: str, internal_user: str) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
first_valid_uid = {uid}
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot():
    """A dovecot serving IMAPS on a free loopback port; yields (port, CA file, mailbox users)."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        _missing("dovecot is not installed (apt-get install -y dovecot-imapd)")
    if shutil.which("openssl") is None:
        _missing("openssl is needed to make the test certificate")
    root = Path(tempfile.mkdtemp(prefix="caredesk-dovecot-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        mail_user = pwd.getpwnam("nobody")
        login_user, internal_user = "dovenull", "dovecot"
    else:
        mail_user = pwd.getpwuid(os.geteuid())
        login_user = internal_user = mail_user.pw_name
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    for name in ("mail", "home"):
        os.chown(root / name, mail_user.pw_uid, mail_user.pw_gid) if os.geteuid() == 0 else None
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"),
                    "-out", str(root / "cert.pem")], check=True, capture_output=True)
    users = ["support", "billing", "watched"]
    (root / "users").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::\n" for user in users))
    port = free_port()
    (root / "dovecot.conf").write_text(_config(root, port, mail_user.pw_uid, mail_user.pw_gid, login_user,
                                               internal_user))
    process = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, process=process)
    except AssertionError:
        process.kill()
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        pytest.fail(f"dovecot did not start: {process.communicate()[0]}\n{log}")
    yield port, str(root / "cert.pem"), users
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def channel_settings(settings):
    settings.EMAIL_TOKEN_SECRET = FIXTURE_SECRET
    settings.EMAIL_ADDRESS = "support@example.com"
    settings.IMAP_IDLE_SECONDS = 30


def mailbox_for(dovecot, user="support", **changes) -> ImapMailbox:
    port, ca_file, _ = dovecot
    fields = {"name": f"{user}-mailbox", "host": "127.0.0.1", "username": user, "password": PASSWORD,
              "port": port, "security": "tls", "folder": "INBOX", "ca_file": ca_file, **changes}
    return ImapMailbox(**fields)


def deliver(dovecot, user: str, *messages: bytes) -> None:
    """Put messages into a mailbox over IMAP APPEND, as the customer's provider would."""
    port, ca_file, _ = dovecot
    with IMAPClient("127.0.0.1", port=port, ssl=True, ssl_context=ssl.create_default_context(cafile=ca_file)) as client:
        client.login(user, PASSWORD)
        for raw in messages:
            client.append("INBOX", raw)


def test_each_message_is_fetched_once_by_uid_and_processed(dovecot):
    corpus = [(CORPUS / f"{stem}.eml").read_bytes() for stem in ("attachments", "koi8_r", "newsletter")]
    deliver(dovecot, "support", *corpus)
    mailbox = mailbox_for(dovecot)
    assert imap.poll_once(mailbox) == 3
    rows = list(InboundMessage.objects.order_by("uid"))
    assert [(row.source, row.mailbox, row.uid, row.status) for row in rows] == [
        ("imap", "support-mailbox", 1, "processed"), ("imap", "support-mailbox", 2, "processed"),
        ("imap", "support-mailbox", 3, "ignored")]
    assert [bytes(row.raw) for row in rows] == corpus
    assert imap.poll_once(mailbox) == 0  # nothing new: nothing fetched again
    deliver(dovecot, "support", email_bytes(subject="Later"))
    assert imap.poll_once(mailbox) == 1
    state = ImapMailboxState.objects.get(name="support-mailbox")
    assert state.last_uid == 4 and Ticket.objects.count() == 3


def test_a_recreated_folder_is_read_again_without_ticketing_twice(dovecot):
    port, ca_file, _ = dovecot
    raw = email_bytes(subject="Invoice question", message_id="invoice@mail.example.org")
    with IMAPClient("127.0.0.1", port=port, ssl=True, ssl_context=ssl.create_default_context(cafile=ca_file)) as client:
        client.login("billing", PASSWORD)
        client.create_folder("Invoices")
        client.append("Invoices", raw)
        mailbox = mailbox_for(dovecot, user="billing", folder="Invoices")
        assert imap.poll_once(mailbox) == 1
        first_validity = ImapMailboxState.objects.get(name=mailbox.name).uidvalidity
        client.delete_folder("Invoices")
        client.create_folder("Invoices")  # a new UIDVALIDITY: UIDs start again
        client.append("Invoices", raw)
    assert imap.poll_once(mailbox) == 1
    assert ImapMailboxState.objects.get(name=mailbox.name).uidvalidity != first_validity
    copy = InboundMessage.objects.order_by("-id").first()
    assert copy.status == "ignored" and "duplicate" in copy.outcome and Ticket.objects.count() == 1


def test_idle_picks_up_a_new_message_while_watching(dovecot):
    mailbox = mailbox_for(dovecot, user="watched", name="support-idle")
    stop = threading.Event()
    watcher = threading.Thread(target=imap.watch, args=(mailbox, stop), daemon=True)
    watcher.start()
    try:
        wait_until(lambda: ImapMailboxState.objects.filter(name="support-idle").exists(), what="the first fetch")
        before = InboundMessage.objects.filter(mailbox="support-idle").count()
        deliver(dovecot, "watched", email_bytes(sender="idle@example.net", subject="Sent during IDLE",
                                                message_id="idle@mail.example.org"))
        row = wait_until(lambda: InboundMessage.objects.filter(mailbox="support-idle", message_id="idle@mail.example.org",
                                                               status="processed").first(),
                         timeout=90, what="the poller to be woken by IDLE")
        assert InboundMessage.objects.filter(mailbox="support-idle").count() == before + 1
        assert row.ticket.subject == "Sent during IDLE"
        assert Heartbeat.objects.filter(component=heartbeats.imap_poller("support-idle")).exists()
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()


def test_tls_is_verified(dovecot):
    with pytest.raises(ssl.SSLCertVerificationError):
        imap.poll_once(mailbox_for(dovecot, ca_file=None))  # the system trust store does not know the test CA


def test_wrong_credentials_fail_clearly(dovecot):
    from imapclient.exceptions import LoginError

    with pytest.raises(LoginError):
        imap.poll_once(mailbox_for(dovecot, password="wrong"))


def test_mailboxes_come_from_settings(settings, dovecot, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    settings.IMAP_MAILBOXES = json.dumps([
        {"name": "support", "host": "127.0.0.1", "username": "support", "password": PASSWORD, "port": 993},
        {"host": "imap.example.com", "username": "billing", "password_file": str(password_file),
         "security": "starttls"},
    ])
    support, billing = imap_mailboxes()
    assert (support.port, support.security, support.folder) == (993, "tls", "INBOX")
    assert (billing.name, billing.port, billing.password) == ("billing@imap.example.com", 143, PASSWORD)
