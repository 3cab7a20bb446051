"""Macros (text and field changes applied in one step), group membership, round-robin assignment per group, and
the audit trail of the responses library (canned responses and macros) and of the groups that Team Supervisors
edit in the workspace."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.core.audit import AuditEvent
from caredesk.tickets.models import CannedResponse, Category, Group, Priority, TicketType


class Macro(models.Model):
    """What an agent applies to one ticket or many at once: a public reply or an internal note, and field
    changes (status, priority, type, category, group, assignee, tags added). Every part is optional; a macro
    needs at least one."""

    class Tab(models.TextChoices):
        NONE = "", "no text"
        REPLY = "reply", "public reply"
        NOTE = "note", "internal note"

    name = models.CharField(max_length=100, unique=True)
    tab = models.CharField(max_length=8, choices=Tab.choices, blank=True,
                           help_text="Where its text goes: a public reply (sent by email) or an internal note.")
    body = models.TextField(blank=True)
    status = models.CharField(max_length=16, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True, choices=Priority.choices)
    ticket_type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    add_tags = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """An agent belongs to a ticket group (zero or more each): the group's queue is theirs to work, and its SLA
    warnings reach them (caredesk.sla.actions.deliver_warnings)."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_memberships")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "agent"], name="group_membership_once")]
        indexes = [models.Index(fields=["agent", "group"], name="group_membership_agent")]

    def __str__(self) -> str:
        return f"{self.agent} in {self.group}"


class GroupMembers(Group):
    """A ticket group seen as its members, for the admin (the group's own fields stay in the tickets admin)."""

    class Meta:
        proxy = True
        verbose_name = "group members"
        verbose_name_plural = "group members"


class RoundRobin(models.Model):
    """Optional round-robin assignment for a group: a ticket arriving in the group without an assignee goes
    to the next of `agents`, or of the group's members when `of_members` (active ones only), in turn."""

    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="round_robin")
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    of_members = models.BooleanField(default=False, help_text=(
        "Take turns among the group's members as they change (Groups page) instead of the agents listed: a new "
        "member joins the rotation, one who leaves drops out."))
    active = models.BooleanField(default=True)
    last_assigned = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Round robin of {self.group}"


class DeskEvent(AuditEvent):
    """Audit trail of the responses library, the round robins and group membership: who changed which macro,
    canned response, rotation or group's members, from what to what."""

    macro = models.ForeignKey(Macro, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    canned_response = models.ForeignKey(CannedResponse, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    round_robin = models.ForeignKey(RoundRobin, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="events")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["at", "id"], name="desk_event_at")]
