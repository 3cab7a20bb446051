"""An escalation a customer asked for (SOP 002/003): their choice, and the warm-transfer ladder's state.

A transfer is state on the row with an indexed `next_due_at` that the worker sweeps (`actions.sweep_due`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caredesk.escalations import ladder
from caredesk.playbooks.models import FollowUpTask, PlaybookDefinition
from caredesk.tickets.models import Interaction, Ticket


IN_PROGRESS = ("requested", ladder.RINGING, ladder.DISCUSSING)  # one escalation at a time on a ticket


class Escalation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested"  # the customer asked; their choice is not recorded yet
        WAITING_FOR_UPDATE = "waiting_for_update", "waiting for an update"  # agreed to wait
        RINGING = ladder.RINGING  # refused to wait: a rung of the ladder is ringing
        DISCUSSING = ladder.DISCUSSING  # an agent answered and discusses the concern
        TRANSFERRED = ladder.TRANSFERRED  # accepted for handling
        VOICEMAIL = ladder.VOICEMAIL  # nobody took it: a voicemail, and a callback for a Resolution Lead
        CALLED_BACK = "called_back", "called back"  # the Resolution Lead called the customer back

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="escalations")
    definition = models.ForeignKey(PlaybookDefinition, on_delete=models.PROTECT, related_name="+",
                                   help_text="The playbook whose escalation section (the ladder) this follows.")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(blank=True, help_text="What the customer said when asking.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    call_sid = models.CharField(max_length=64, blank=True,
                                help_text="The customer's live call at the phone provider, when the transfer is real.")
    rung = models.PositiveSmallIntegerField(null=True, blank=True)
    ringing = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="ringing_escalations")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    next_due_at = models.DateTimeField(null=True, blank=True)
    voicemail = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    callback_role = models.CharField(max_length=80, blank=True)
    callback_title = models.CharField(max_length=250, blank=True)
    callback_task = models.ForeignKey(
        FollowUpTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The voicemail's callback: a follow-up task with its due time and overdue state "
                  "(the playbook started by the trigger escalation_voicemail).")
    called_back_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    called_back_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["next_due_at"], condition=Q(status="ringing"), name="escalation_transfer_due"),
            models.Index(fields=["status", "requested_at"], name="escalation_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(status__in=list(IN_PROGRESS)),
                                    name="escalation_one_in_progress_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"escalation of #{self.ticket_id} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS
