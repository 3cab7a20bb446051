"""Priority (SOP 004: impact, urgency, the customer's importance, the contract) and SLA policies, targets and
clocks.

The lists and the matrix are data the team edits in the admin. A ticket's clocks are computed from its own
history by the pure `caredesk.sla.clocks`; `SlaTarget` rows hold where each clock cycle stands, so the due-time
sweep reads an index (`TicketSla.next_due_at`) and the views sort by `TicketSla.next_breach_at`. Every start,
pause, resume, fulfilment, breach and warning is an append-only SlaEvent (`sla.*`), the ticket's SLA log.
"""

from __future__ import annotations

from django.db import models

from caredesk.calendars.models import BusinessCalendar
from caredesk.core.audit import AuditEvent
from caredesk.customers.models import ConfigurableEntry, Customer, Industry
from caredesk.sla import clocks, recipients
from caredesk.tickets.models import Group, Priority, Status, Ticket, TicketType


class Impact(ConfigurableEntry):
    """How much of the customer's work or business the issue affects, e.g. "One user", "Whole business"."""


class Urgency(ConfigurableEntry):
    """How soon it hurts, e.g. "Can wait", "Blocks work now"."""

    class Meta(ConfigurableEntry.Meta):
        verbose_name_plural = "urgencies"


class PriorityMatrixCell(models.Model):
    impact = models.ForeignKey(Impact, on_delete=models.CASCADE, related_name="cells")
    urgency = models.ForeignKey(Urgency, on_delete=models.CASCADE, related_name="cells")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)

    class Meta:
        ordering = ["impact__position", "urgency__position"]
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="one_priority_per_cell")]
        verbose_name = "priority matrix cell"

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → {self.get_priority_display()}"


class ContractTier(ConfigurableEntry):
    """A customer's contract, e.g. Standard, Premium; `raises_priority` raises their tickets one level."""

    raises_priority = models.BooleanField(default=False)


class ImportanceRule(models.Model):
    """Whether a customer importance (standard, key, VIP) raises their tickets' priority one level."""

    importance = models.CharField(max_length=16, choices=Customer.Importance.choices, unique=True)
    raises_priority = models.BooleanField(default=False)

    class Meta:
        ordering = ["importance"]

    def __str__(self) -> str:
        return f"{self.get_importance_display()}: {'raises' if self.raises_priority else 'keeps'} priority"


class CustomerContract(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, primary_key=True, related_name="contract")
    tier = models.ForeignKey(ContractTier, on_delete=models.PROTECT)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.customer}: {self.tier}"


class CategoryTags(models.Model):
    """The tags suggested beside a category (SOP 004's standardized categorization and tagging)."""

    category = models.OneToOneField("tickets.Category", on_delete=models.CASCADE, primary_key=True,
                                    related_name="suggested_tags")
    tags = models.CharField(max_length=500, blank=True, help_text="Tag names, separated by commas.")

    class Meta:
        verbose_name_plural = "category tags"

    def __str__(self) -> str:
        return f"{self.category}: {self.tags}"

    @property
    def names(self) -> list[str]:
        return [name.strip() for name in self.tags.split(",") if name.strip()]


class TicketPriority(models.Model):
    """How a ticket's priority was reached: its impact and urgency, what raised it, an agent's override."""

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, primary_key=True, related_name="assessment")
    impact = models.ForeignKey(Impact, null=True, blank=True, on_delete=models.PROTECT)
    urgency = models.ForeignKey(Urgency, null=True, blank=True, on_delete=models.PROTECT)
    base = models.PositiveSmallIntegerField(choices=Priority.choices, help_text="Without impact and urgency.")
    override = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    override_reason = models.TextField(blank=True)
    explanation = models.TextField(help_text="How the priority was reached.")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"#{self.ticket_id}: {self.explanation}"


METRIC_CHOICES = [(metric, clocks.METRIC_NAMES[metric]) for metric in clocks.METRICS]


class SlaPolicy(models.Model):
    """Targets for the tickets it matches: every condition left empty matches anything. The first active
    policy by position that matches a ticket applies to it."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT,
                                 help_text="Empty: the default calendar.")
    priorities = models.JSONField(default=list, blank=True, help_text="Priority values (1 low ... 4 urgent).")
    importances = models.JSONField(default=list, blank=True, help_text="standard, key, vip")
    ticket_types = models.ManyToManyField(TicketType, blank=True)
    groups = models.ManyToManyField(Group, blank=True)
    industries = models.ManyToManyField(Industry, blank=True)
    warn_group = models.CharField(
        max_length=16, choices=recipients.WARN_GROUP_CHOICES, default=recipients.ALWAYS,
        help_text="Whether the members of the ticket's group are warned as well as its assignee.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name


class SlaTargetSpec(models.Model):
    """A policy's target for one metric, in business minutes, with what pauses it and when to warn."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=20, choices=METRIC_CHOICES)
    business_minutes = models.PositiveIntegerField()
    pausing_statuses = models.JSONField(default=list, blank=True,
                                        help_text="Statuses that pause this clock, e.g. pending, on_hold.")
    warn_minutes_before = models.PositiveIntegerField(null=True, blank=True)
    warn_at_percent = models.PositiveSmallIntegerField(null=True, blank=True,
                                                       help_text="Warn once this share of the target is used.")

    class Meta:
        ordering = ["policy", "metric"]
        constraints = [models.UniqueConstraint(fields=["policy", "metric"], name="one_target_per_metric")]
        verbose_name = "SLA target"

    def __str__(self) -> str:
        return f"{self.policy}: {self.get_metric_display()} in {self.business_minutes} business minutes"

    def as_target(self) -> clocks.Target:
        return clocks.Target(self.metric, self.business_minutes, frozenset(self.pausing_statuses),
                             self.warn_minutes_before, self.warn_at_percent)


class TicketSla(models.Model):
    """A ticket's policy and when its clocks next need the sweep (a warning or a breach falls due)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, primary_key=True, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.PROTECT)
    next_due_at = models.DateTimeField(null=True, blank=True)
    next_breach_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()
    stale = models.BooleanField(default=False, help_text="A policy or calendar changed: the sweep recomputes it.")

    class Meta:
        indexes = [models.Index(fields=["next_due_at"], name="ticket_sla_next_due"),
                   models.Index(fields=["next_breach_at"], name="ticket_sla_next_breach")]
        verbose_name = "ticket SLA"


class SlaTarget(models.Model):
    """One cycle of one metric on a ticket, as the clocks last computed it."""

    State = models.TextChoices("State", [(s, s) for s in (clocks.RUNNING, clocks.PAUSED, clocks.FULFILLED,
                                                          clocks.STOPPED)])

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="sla_targets")
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.PROTECT)
    metric = models.CharField(max_length=20, choices=METRIC_CHOICES)
    cycle = models.PositiveIntegerField()
    target_minutes = models.PositiveIntegerField()
    pausing_statuses = models.JSONField(default=list)
    state = models.CharField(max_length=12, choices=State.choices)
    paused_by = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField()
    used_seconds = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When the breach was recorded.")
    warned_at = models.DateTimeField(null=True, blank=True)
    promised = models.BooleanField(default=False, help_text="Held to an update promised to the customer (SOP 002): "
                                                            "no status pauses it until the next public reply.")

    class Meta:
        ordering = ["ticket", "started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "metric", "cycle"], name="one_target_cycle")]
        indexes = [models.Index(fields=["ended_at"], name="sla_target_ended")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_metric_display()} #{self.cycle}: {self.state}"

    @property
    def metric_name(self) -> str:
        return clocks.METRIC_NAMES[self.metric]

    @property
    def achieved(self) -> bool | None:
        """Met (True), breached (False), or not decided yet (None)."""
        if self.breached_at is not None:
            return False
        return True if self.state == clocks.FULFILLED else None


class SlaEvent(AuditEvent):
    """The append-only log of a ticket's SLA clocks: started, paused, resumed, fulfilled, stopped, breached,
    warned, recomputed, the policy applied. Kept beside the ticket's own audit trail, not in it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="sla_events")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["ticket", "at", "id"], name="sla_event_timeline")]


class SlaConfiguration(models.Model):
    """One row: a token that changes whenever a policy, target or calendar changes, so every process knows
    when its snapshot of them (caredesk.sla.actions.configuration) is out of date with one small read."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "SLA configuration version"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
