"""Channel settings read once and checked: the reply-token secret, the sender, the IMAP mailboxes."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IMAP_SECURITY = ("tls", "starttls", "none")


def token_secret() -> str:
    """The secret that signs reply-to tokens: CAREDESK_EMAIL_TOKEN_SECRET, else derived from SECRET_KEY."""
    if settings.EMAIL_TOKEN_SECRET:
        return settings.EMAIL_TOKEN_SECRET
    return hmac.new(settings.SECRET_KEY.encode(), b"caredesk email reply tokens", hashlib.sha256).hexdigest()


def sender_domain() -> str:
    """The domain of the support address: outbound Message-IDs are minted on it."""
    return settings.EMAIL_ADDRESS.rpartition("@")[2].lower()


def webhook_url(path: str) -> str:
    """The public address of one of caredesk's webhooks, as Twilio calls it (and signs it)."""
    return f"{settings.PUBLIC_URL}{path}"


def recording_status_url() -> str:
    """Where Twilio reports a finished recording (caredesk.recordings downloads and keeps the audio)."""
    return webhook_url("/channels/twilio/recordings/status/")


@dataclass(frozen=True)
class ImapMailbox:
    name: str
    host: str
    username: str
    password: str
    port: int
    security: str = "tls"
    folder: str = "INBOX"
    ca_file: str | None = None


def imap_mailboxes() -> list[ImapMailbox]:
    """CAREDESK_IMAP_MAILBOXES: a JSON list of {name, host, username, password | password_file, port,
    security (tls, starttls, none), folder, ca_file}."""
    text = (settings.IMAP_MAILBOXES or "").strip()
    if not text:
        return []
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"CAREDESK_IMAP_MAILBOXES is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured("CAREDESK_IMAP_MAILBOXES must be a JSON list of mailboxes")
    return [_mailbox(index, entry) for index, entry in enumerate(entries)]


def _mailbox(index: int, entry) -> ImapMailbox:
    where = f"CAREDESK_IMAP_MAILBOXES[{index}]"
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{where} must be an object")
    unknown = set(entry) - {"name", "host", "username", "password", "password_file", "port", "security",
                            "folder", "ca_file"}
    if unknown:
        raise ImproperlyConfigured(f"{where} has an unknown key {sorted(unknown)[0]!r}")
    for key in ("host", "username"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ImproperlyConfigured(f"{where}.{key} is required")
    password = entry.get("password")
    if entry.get("password_file"):
        password = Path(entry["password_file"]).read_text().strip()
    if not password:
        raise ImproperlyConfigured(f"{where} needs password or password_file")
    security = entry.get("security", "tls")
    if security not in IMAP_SECURITY:
        raise ImproperlyConfigured(f"{where}.security must be one of {', '.join(IMAP_SECURITY)}")
    port = entry.get("port", 993 if security == "tls" else 143)
    if not isinstance(port, int):
        raise ImproperlyConfigured(f"{where}.port must be a number")
    return ImapMailbox(
        name=entry.get("name") or f"{entry['username']}@{entry['host']}", host=entry["host"],
        username=entry["username"], password=password, port=port, security=security,
        folder=entry.get("folder", "INBOX"), ca_file=entry.get("ca_file"),
    )
