"""An escalation case (SOP 003): opened from a ticket under escalation with what step 3 requires, waiting on
the customer's documentation, assigned to a Resolution Specialist, closed with a closed reason kept apart from
its status. Written only by caredesk.cases.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.customers.models import ConfigurableEntry
from caredesk.escalations.models import Escalation
from caredesk.recordings.models import Recording
from caredesk.tickets.models import Attachment, Interaction, Ticket

CASE_VOIDED = "Case Voided"


CASE_TEXTS = ("description", "installer_point_of_view", "concern_type", "red_flags", "other_concerns",
              "documentation_needed", "assignment_reason")  # a case's written fields: searched and redacted
CASES = "cases"  # how a redaction names the cases it rewrote (tickets.redaction)


class PrimaryReason(ConfigurableEntry):
    """SOP 003's "Primary Reason": a list the team edits (admin site); shipped by a data migration."""


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        WAITING_ON_DOCUMENTATION = "waiting_on_documentation", "waiting on documentation"
        ASSIGNED = "assigned"
        CLOSED = "closed"

    class Documentation(models.TextChoices):
        PROVIDED = "provided", "provided by the homeowner"
        REQUESTED = "requested", "requested from the homeowner"
        RECEIVED = "received", "received from the homeowner"
        REFUSED = "refused", "the homeowner refused to provide it"
        NOT_NEEDED = "not_needed", "not needed"

    class Assignment(models.TextChoices):
        NONE = "", "not assigned"
        OFFERED = "offered"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        RETURNED = "returned"

    class ClosedReason(models.TextChoices):
        RESOLVED = "Resolved"
        CASE_VOIDED = CASE_VOIDED

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="cases")
    escalation = models.ForeignKey(Escalation, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.CharField(max_length=32, choices=ClosedReason.choices, blank=True)
    primary_reason = models.ForeignKey(PrimaryReason, on_delete=models.PROTECT, related_name="cases")
    description = models.TextField(help_text="A detailed overview of the call or interaction.")
    installer_point_of_view = models.TextField(help_text="The installer's or sales rep's point of view.")
    interaction = models.ForeignKey(Interaction, on_delete=models.PROTECT, related_name="+",
                                    help_text="The call or interaction (and its recording) the case comes from.")
    recording = models.ForeignKey(Recording, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  help_text="The recording of that call or voicemail, when caredesk holds one.")
    concern_type = models.TextField(help_text="What type of escalated concern it is.")
    red_flags = models.TextField(help_text="The red flags seen when reviewing the concern.")
    other_concerns = models.TextField(help_text="Other items that raised concern.")
    welcome_call_voice_matches = models.BooleanField(
        help_text="Does the voice in the welcome call match the homeowner in this interaction?")
    certificate_of_completion_reviewed = models.BooleanField()
    documentation = models.CharField(max_length=16, choices=Documentation.choices)
    documentation_needed = models.TextField(blank=True, help_text="What the documentation request asks for.")
    documentation_requested_at = models.DateTimeField(null=True, blank=True)
    documents = models.ManyToManyField(Attachment, blank=True, related_name="cases")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_cases")
    assignment = models.CharField(max_length=16, choices=Assignment.choices, blank=True)
    assignment_reason = models.TextField(blank=True, help_text="Why the assignee rejected or returned the case.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="case_status"),
                   models.Index(fields=["assignee", "assignment"], name="case_assignee")]

    def __str__(self) -> str:
        return f"case {self.pk} of #{self.ticket_id} ({self.status})"

    @property
    def voidable(self) -> bool:
        """SOP 003: a rejected or returned assignment is closed by the case owner as "Case Voided"."""
        return self.status != self.Status.CLOSED and self.assignment in (self.Assignment.REJECTED,
                                                                          self.Assignment.RETURNED)
