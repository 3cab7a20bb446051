"""Resolutions (SOP 004 "Close the Ticket and Document Resolution"), their confirmation with the customer
("Confirm Problem Resolution"), and feedback shared with other teams ("Share Feedback Internally").

The lists (root causes, resolution codes, feedback teams), which fields a resolution needs and whether a
ticket type waits for the customer's confirmation are data the team edits in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from caredesk.customers.models import ConfigurableEntry
from caredesk.knowledge.models import Article
from caredesk.tickets.models import Interaction, Ticket, TicketType


class TypedEntry(ConfigurableEntry):
    """An entry offered on tickets of some types only; with no type chosen, on every ticket."""

    ticket_types = models.ManyToManyField(
        TicketType, blank=True, related_name="+", help_text="Offered on tickets of these types; none: on every ticket.",
    )

    class Meta(ConfigurableEntry.Meta):
        abstract = True


class RootCause(TypedEntry):
    """SOP 004 "Analyze and Identify the Root Cause": why the problem happened, e.g. "Product defect"."""


class ResolutionCode(TypedEntry):
    """What was done to resolve it, e.g. "Refund issued"."""


class FeedbackTeam(ConfigurableEntry):
    """A team that receives feedback from support (SOP 004 "Share Feedback Internally"): product, billing..."""


class ResolutionRule(models.Model):
    """Which resolution fields an agent must give, and whether the ticket waits for the customer's
    confirmation before it closes. The rule without a ticket type applies to every type without its own."""

    ticket_type = models.OneToOneField(TicketType, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="resolution_rule")
    required_fields = models.JSONField(default=list, blank=True, help_text=(
        "Fields an agent must fill in to solve: root_cause, resolution_code, summary, reference."))
    confirmation_required = models.BooleanField(default=True, help_text=(
        "Confirm the resolution with the customer before the ticket closes."))

    class Meta:
        constraints = [models.UniqueConstraint(Coalesce("ticket_type", models.Value(0)),
                                               name="resolution_rule_one_per_type")]

    def __str__(self) -> str:
        return f"Resolution rule for {self.ticket_type or 'every ticket type'}"


class PlaybookOutcome(models.Model):
    """The resolution a playbook records when it solves a ticket itself (the unresponsive close)."""

    playbook = models.SlugField(max_length=100, unique=True, help_text="The playbook's name.")
    root_cause = models.ForeignKey(RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution_code = models.ForeignKey(ResolutionCode, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    summary = models.TextField()

    def __str__(self) -> str:
        return self.playbook


class Resolution(models.Model):
    """How and why a ticket was solved. A reopened ticket's resolution stops being current; solving it again
    records a new one."""

    class Confirmation(models.TextChoices):
        NOT_REQUIRED = "not_required", "not required"
        AWAITED = "awaited", "awaited from the agent"
        SENT = "sent", "asked by message"
        CONFIRMED = "confirmed"
        NOT_FIXED = "not_fixed", "still not fixed"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="resolutions")
    root_cause = models.ForeignKey(RootCause, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="resolutions")
    resolution_code = models.ForeignKey(ResolutionCode, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="resolutions")
    summary = models.TextField(blank=True)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.PROTECT, related_name="resolutions",
                                help_text="The article of caredesk's knowledge base the solution reuses.")
    knowledge_base_reference = models.CharField(max_length=500, blank=True,
                                                help_text="Another knowledge-base article it reuses (address or "
                                                          "reference).")
    linked_ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      help_text="An earlier ticket whose resolution it reuses.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_label = models.CharField(max_length=200, blank=True, help_text="A playbook or system author.")
    recorded_at = models.DateTimeField()
    recorded_week = models.DateField(help_text="The Monday (UTC) of the week it was recorded: the reports count by it.")
    current = models.BooleanField(default=True)
    confirmation = models.CharField(max_length=16, choices=Confirmation.choices, default=Confirmation.NOT_REQUIRED)
    confirmation_channel = models.CharField(max_length=16, blank=True,
                                            help_text="How the customer confirmed, or the channel asked on.")
    confirmation_note = models.TextField(blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "current"], name="resolution_ticket_current"),
            models.Index(fields=["recorded_at", "id"], name="resolution_recorded"),
            models.Index(fields=["recorded_week", "root_cause"], name="resolution_week_root_cause"),
            models.Index(fields=["confirmation", "confirmation_sent_at"], name="resolution_confirmation"),
        ]

    def __str__(self) -> str:
        return f"Resolution of #{self.ticket_id}"

    @property
    def recorded_by_name(self) -> str:
        return (self.recorded_by.get_full_name() or self.recorded_by.get_username()) if self.recorded_by_id \
            else self.recorded_label


class Feedback(models.Model):
    """An internal note marked as feedback for another team, with its ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="feedback")
    note = models.OneToOneField(Interaction, on_delete=models.PROTECT, related_name="feedback")
    team = models.ForeignKey(FeedbackTeam, on_delete=models.PROTECT, related_name="feedback")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    shared_at = models.DateTimeField()

    class Meta:
        ordering = ["-shared_at", "-id"]
        indexes = [models.Index(fields=["team", "shared_at", "id"], name="feedback_team_shared")]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback for {self.team} on #{self.ticket_id}"
