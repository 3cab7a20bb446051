"""Tickets, their timeline (Interaction), supporting documents, audit trail and canned responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.core.audit import AuditEvent
from caredesk.core.errors import ValidationFailed
from caredesk.customers.models import ConfigurableEntry, Customer, Order
from caredesk.tickets import lifecycle


class TicketType(ConfigurableEntry):
    """general inquiry, refund request, bot issue, clarification... Playbooks match on `key`."""


class Category(ConfigurableEntry):
    class Meta(ConfigurableEntry.Meta):
        verbose_name_plural = "categories"


class Group(ConfigurableEntry):
    """A queue of tickets, e.g. "Unresponsive Customers"."""

    class Meta(ConfigurableEntry.Meta):
        verbose_name = "ticket group"


class Tag(models.Model):
    name = models.SlugField(max_length=64, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Priority(models.IntegerChoices):
    """SOP 004's levels ("priority levels such as high, medium, or low"), with urgent above high."""

    LOW = 1, "low"
    MEDIUM = 2, "medium"
    HIGH = 3, "high"
    URGENT = 4, "urgent"

    @classmethod
    def from_name(cls, name: str) -> "Priority":
        for member in cls:
            if member.label == name:
                return member
        raise KeyError(name)

    @classmethod
    def checked(cls, value: int) -> "Priority":
        """`value` as a priority, or a clear error naming the levels."""
        if value not in cls.values:
            raise ValidationFailed(f"Priority must be {', '.join(cls.labels[:-1])} or {cls.labels[-1]}.",
                                   field="priority")
        return cls(value)


class Status(models.TextChoices):
    NEW = lifecycle.NEW
    OPEN = lifecycle.OPEN
    PENDING = lifecycle.PENDING
    ON_HOLD = lifecycle.ON_HOLD, "on hold"
    SOLVED = lifecycle.SOLVED
    CLOSED = lifecycle.CLOSED


class Channel(models.TextChoices):
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    VOICEMAIL = "voicemail"
    CHAT = "chat"
    WEB = "web"
    INTERNAL = "internal"


class Ticket(models.Model):
    """A customer's request. Its `id` is the ticket number agents and customers quote."""

    subject = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    requester = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    ticket_type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.PROTECT)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_tickets"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    follows_up = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_up_tickets",
        help_text="The closed ticket this one follows up.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="ticket_status_id"),
            models.Index(fields=["assignee", "status", "id"], name="ticket_assignee_status_id"),
            models.Index(fields=["group", "status", "id"], name="ticket_group_status_id"),
            models.Index(fields=["requester", "id"], name="ticket_requester_id"),
            models.Index(fields=["ticket_type", "status", "id"], name="ticket_type_status_id"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_id"),
            models.Index(fields=["created_at", "id"], name="ticket_created_id"),
            models.Index(fields=["priority", "id"], name="ticket_priority_id"),
            models.Index(fields=["status", "solved_at"], name="ticket_status_solved"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def priority_name(self) -> str:
        return Priority(self.priority).label

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class Interaction(models.Model):
    """One entry of a ticket's timeline: a message, a call or an internal note."""

    class Direction(models.TextChoices):
        INBOUND = "inbound"
        OUTBOUND = "outbound"
        INTERNAL = "internal"

    class Kind(models.TextChoices):
        MESSAGE = "message"
        CALL = "call"
        NOTE = "note"

    class CallOutcome(models.TextChoices):
        ANSWERED = "answered"
        NO_ANSWER = "no_answer", "no answer"
        BUSY = "busy"
        FAILED = "failed"
        CANCELED = "canceled"
        MISSED = "missed"
        ABANDONED = "abandoned"
        VOICEMAIL_LEFT = "voicemail_left", "voicemail left"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    call_outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    body = models.TextField(blank=True)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    author_label = models.CharField(max_length=200, blank=True, help_text="A playbook or system author.")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField()
    # Call notes (SOP "Care Clarifications – SWAT Call Expectations").
    caller_name = models.CharField(max_length=200, blank=True)
    call_type = models.CharField(max_length=100, blank=True)
    call_customer_type = models.CharField(max_length=100, blank=True)
    reason_for_call = models.TextField(blank=True)
    actions_taken = models.TextField(blank=True)
    # Channel details: an email Message-ID, a Twilio SID, a recording... (written by the channels app).
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["ticket", "occurred_at", "id"], name="interaction_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"

    CALL_NOTE_FIELDS = ("caller_name", "call_type", "call_customer_type", "reason_for_call", "actions_taken")

    @property
    def has_call_notes(self) -> bool:
        return all(getattr(self, field).strip() for field in self.CALL_NOTE_FIELDS)

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE

    @property
    def author_name(self) -> str:
        # A customer's message is theirs, even when an agent logged it.
        if self.author_customer_id:
            return str(self.author_customer)
        if self.author_agent_id:
            return str(self.author_agent)
        return self.author_label


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"tickets/{instance.ticket_id}/{instance.sha256[:2]}/{instance.sha256}"


class KeptAttachments(models.Manager):
    """The documents not removed: what every page and route reads (`Attachment.objects`, and
    `ticket.attachments` and `interaction.attachments`, which use it)."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Attachment(models.Model):
    """A supporting document on a ticket, optionally from one interaction. Stored by content hash. A removed
    one keeps its row (its audit events name it) without its file."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When it was removed, its file deleted.")

    objects = KeptAttachments()
    with_removed = models.Manager()

    class Meta:
        ordering = ["created_at", "id"]
        base_manager_name = "with_removed"

    def __str__(self) -> str:
        return self.filename


class TicketEvent(AuditEvent):
    """The append-only audit trail of a ticket: every change and every interaction."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["ticket", "at", "id"], name="ticket_event_timeline")]


COMPOSER_TABS = ("reply", "note", "call", "text")


def all_composer_tabs() -> list[str]:
    return list(COMPOSER_TABS)


class CannedResponse(models.Model):
    """Text agents insert into a composer, offered only in the composer tabs it names (`tabs`: reply, note,
    call, text). `fields` lists the labelled lines of a structured one."""

    name = models.CharField(max_length=100, unique=True)
    tabs = models.JSONField(default=all_composer_tabs, blank=True,
                            help_text="The composer tabs it is offered in: reply, note, call, text.")
    body = models.TextField()
    fields = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
