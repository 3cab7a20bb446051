"""Raw inbound mail, the outbox, IMAP positions, message templates and the channels' audit trail."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from caredesk.core.audit import AuditEvent
from caredesk.tickets.models import Interaction, Ticket


class InboundMessage(models.Model):
    """A message exactly as received, stored before it is acknowledged; processing reads it from here."""

    class Source(models.TextChoices):
        SMTP = "smtp"
        IMAP = "imap"
        HTTP = "http"

    class Status(models.TextChoices):
        RECEIVED = "received"  # stored, waiting to be processed
        PROCESSED = "processed"  # on a ticket
        IGNORED = "ignored"  # machine mail, a duplicate, no sender: recorded, nothing else
        FAILED = "failed"  # see `error`; retried while `next_attempt_at` is set
        QUARANTINED = "quarantined"  # parsing failed twice (see `error`): waits for an Admin to retry or discard it

    source = models.CharField(max_length=8, choices=Source.choices)
    received_at = models.DateTimeField(db_index=True)
    envelope_sender = models.CharField(max_length=255, null=True, blank=True, help_text='"" is the null sender <>.')
    envelope_recipients = models.JSONField(default=list, blank=True)
    mailbox = models.CharField(max_length=100, blank=True, help_text="The IMAP mailbox it was fetched from.")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField()
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(max_length=300, blank=True, help_text="What processing did, for people.")
    automated_kind = models.CharField(max_length=16, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="inbound_pending")]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"], condition=Q(uid__isnull=False),
                                    name="inbound_one_per_imap_uid"),
        ]

    def __str__(self) -> str:
        return f"inbound #{self.pk} ({self.status})"


class ImapMailboxState(models.Model):
    """How far the poller has read one mailbox: the highest UID stored under the current UIDVALIDITY."""

    name = models.CharField(max_length=100, unique=True)
    uidvalidity = models.BigIntegerField()
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} up to UID {self.last_uid}"


class OutboundMessage(models.Model):
    """The outbox: one email or text to deliver, written in the transaction of the change that caused it."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        SMS = "sms"

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    class Origin(models.TextChoices):
        AGENT_REPLY = "agent_reply", "agent's reply"
        PLAYBOOK = "playbook"
        SURVEY = "survey"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="outbound_messages")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound_messages",
        help_text="The agent's reply it sends, or the timeline entry written when an automatic message went out.",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    author_label = models.CharField(max_length=200, blank=True, help_text="The playbook that asked for it.")
    template = models.CharField(max_length=100, blank=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    automatic = models.BooleanField(default=False)
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.JSONField(default=list, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    transport = models.CharField(max_length=16, blank=True, help_text="smtp, console or twilio.")
    provider_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="e.g. a Twilio SID.")
    provider_status = models.CharField(max_length=32, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status__in=["queued", "sending"]),
                         name="outbound_due"),
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {', '.join(self.to)} ({self.status})"


class MessageTemplate(models.Model):
    """An automatic message a playbook can ask for by name. Rendered with {{ ticket }}, {{ customer }}."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        TEXT = "text"

    name = models.SlugField(max_length=100)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subject = models.CharField(max_length=300, blank=True, help_text="Email only.")
    body = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "channel"]
        constraints = [models.UniqueConstraint(fields=["name", "channel"], name="message_template_name_channel")]

    def __str__(self) -> str:
        return f"{self.name} ({self.channel})"


class ChannelEvent(AuditEvent):
    """The append-only trail of inbound messages (stored, processed, ignored, failed) and IMAP positions.

    What happens to an outbound message is on its ticket's TicketEvents.
    """

    inbound = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="events")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["inbound", "at"], name="channel_event_inbound")]
