"""Playbook definitions as started, running playbooks (one row each, with an indexed due time), the agent
tasks they create, and the flags they raise on tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caredesk.tickets.models import Ticket


class PlaybookDefinition(models.Model):
    """The exact text of one playbook version, kept so a running ticket keeps the version it started with."""

    name = models.SlugField(max_length=100)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    source = models.TextField()
    sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=500, blank=True)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="playbook_definition_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class PlaybookRun(models.Model):
    """A playbook running on a ticket. `state` is the engine's RunState; `next_due_at` is what the sweep claims."""

    class Status(models.TextChoices):
        RUNNING = "running"
        ENDED = "ended"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="playbook_runs")
    definition = models.ForeignKey(PlaybookDefinition, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    outcome = models.CharField(max_length=40, blank=True)
    state = models.JSONField()
    next_due_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["next_due_at"], condition=Q(status="running"), name="playbook_run_due"),
            models.Index(fields=["ticket", "status"], name="playbook_run_ticket"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "definition"], condition=Q(status="running"),
                                    name="playbook_run_one_running_per_playbook"),
        ]

    def __str__(self) -> str:
        return f"{self.definition} on #{self.ticket_id}"


class FollowUpTask(models.Model):
    """An agent task a playbook created: an attempt with its channel checklist, a call, an escalation..."""

    class Status(models.TextChoices):
        OPEN = "open"
        DONE = "done"
        CANCELLED = "cancelled"
        MISSED = "missed"

    run = models.ForeignKey(PlaybookRun, on_delete=models.PROTECT, related_name="tasks")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="follow_up_tasks")
    task_key = models.CharField(max_length=120)
    step_key = models.CharField(max_length=40)
    day = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=250)
    channels = models.JSONField(default=list)  # [{"channel": "email", "to": [...]}, ...]
    due_at = models.DateTimeField()
    overdue_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="follow_up_tasks")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="completed_follow_up_tasks")
    channels_tried = models.JSONField(default=list)
    reached = models.BooleanField(null=True)
    closed_reason = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="follow_up_task_queue"),
            models.Index(fields=["ticket", "status"], name="follow_up_task_ticket"),
        ]
        constraints = [models.UniqueConstraint(fields=["run", "task_key"], name="follow_up_task_key")]

    def __str__(self) -> str:
        return f"{self.title} (#{self.ticket_id})"

    def is_overdue(self, now) -> bool:
        return self.status == self.Status.OPEN and now >= self.overdue_at

    @property
    def planned_channels(self) -> list[str]:
        return [entry["channel"] for entry in self.channels]


class TicketFlag(models.Model):
    """A flag a playbook raised on a ticket, e.g. missing_call_notes or ready_for_refund_escalation."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="flags")
    flag = models.SlugField(max_length=64)
    raised_at = models.DateTimeField()
    raised_by = models.CharField(max_length=200)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "flag"], condition=Q(cleared_at__isnull=True),
                                    name="ticket_flag_raised_once"),
        ]

    def __str__(self) -> str:
        return self.flag
