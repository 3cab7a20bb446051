"""The audit event kinds of channels: an outbound message's fate on its ticket, and the inbound trail."""

from __future__ import annotations

from caredesk.channels.models import ChannelEvent
from caredesk.core.events import VALUE, EventKind, Moment, Reading, TicketMention, record, register, value_text
from caredesk.tickets.models import TicketEvent

RETRY = ("attempts", "reason", "next_attempt_at")


def _queued(reading: Reading) -> dict:
    after = reading.after
    return {"channel": value_text(after["channel"]), "to": value_text(after["to"]),
            "template": f" (template {value_text(after['template'])})" if after["template"] else ""}


def _processed(reading: Reading) -> dict:
    ticket = reading.after["ticket"]
    return {"outcome": reading.after["outcome"], "ticket": TicketMention(ticket) if ticket else "no ticket"}


def _failed(reading: Reading) -> dict:
    after = reading.after
    return {"attempts": after["attempts"], "error": after["error"],
            "retry": ", to be tried again" if after["retry"] else ", given up"}


def _position(reading: Reading) -> dict:
    after, before = reading.after, reading.before
    restarted = before is not None and before["uidvalidity"] != after["uidvalidity"]
    return {"mailbox": after["mailbox"], "last_uid": after["last_uid"],
            "restart": " (a new UIDVALIDITY: counted again)" if restarted else ""}


def declare() -> None:
    register(
        TicketEvent,
        EventKind("outbound.queued", "queued the {channel} to {to} for delivery{template}",
                  after=record("outbound", "channel", "to", "template", "reason"), values=_queued),
        # written failed when queued (no template, no address) or when the last attempt failed
        EventKind("outbound.failed", "could not deliver the message: {reason}",
                  after=record("outbound", "reason", optional=("channel", "to", "template", "attempts", "next_attempt_at"))),
        EventKind("outbound.sent", "delivered the message by {transport}",
                  after=record("outbound", "transport", "provider_id")),
        EventKind("outbound.retry_scheduled", "will retry the delivery {next_attempt_at}: {reason}",
                  after=record("outbound", *RETRY), values=lambda reading: {
                      "reason": reading.after["reason"], "next_attempt_at": Moment(reading.after["next_attempt_at"])}),
        EventKind("outbound.provider_status", "got the delivery status {after}", field="provider_status",
                  before=VALUE, after=VALUE),
    )
    register(
        ChannelEvent,
        EventKind("inbound.received", "received a message of {size} bytes by {source}",
                  after=record("source", "size", "mailbox"), values=lambda reading: {
                      "size": reading.after["size"], "source": value_text(reading.after["source"])}),
        EventKind("inbound.processed", "processed the message on {ticket}: {outcome}",
                  after=record("outcome", "message_id", "ticket"), values=_processed),
        EventKind("inbound.ignored", "ignored the message ({ticket}): {outcome}",
                  after=record("outcome", "message_id", "ticket"), values=_processed),
        EventKind("inbound.failed", "could not process the message (attempt {attempts}{retry}): {error}",
                  after=record("error", "attempts", "retry"), values=_failed),
        EventKind("inbound.quarantined", "quarantined the message after {attempts} attempts: {reason}",
                  before=record("status"), after=record("status", "reason", "attempts"),
                  values=lambda reading: {"attempts": reading.after["attempts"], "reason": reading.after["reason"]}),
        EventKind("inbound.retried", "sent the message back from quarantine to be processed again",
                  before=record("status"), after=record("status", "next_attempt_at")),
        EventKind("inbound.discarded", "discarded the quarantined message",
                  before=record("status"), after=record("status", "outcome")),
        EventKind("inbound.original_downloaded", "downloaded the message as received ({size} bytes, from the {via})",
                  after=record("size", "via")),
        EventKind("imap.position", "read the mailbox {mailbox} up to UID {last_uid}{restart}",
                  before=record("uidvalidity", "last_uid", nullable=True),
                  after=record("mailbox", "uidvalidity", "last_uid"), values=_position),
    )
