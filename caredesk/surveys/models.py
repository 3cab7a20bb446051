"""Customer satisfaction (CSAT) surveys after a solved ticket, the NPS relationship survey, and the review a
Team Supervisor makes of a bad rating. Written only by caredesk.surveys.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caredesk.customers.models import ConfigurableEntry, Customer
from caredesk.surveys.rules import nps_group
from caredesk.tickets.models import Group, Ticket


class SurveyPolicy(models.Model):
    """The team's survey choices (one row, edited in the admin site; shipped by the defaults)."""

    key = models.SlugField(max_length=32, unique=True, default="default")
    delay_hours = models.PositiveIntegerField(default=24, help_text="Hours after a ticket is solved.")
    link_days = models.PositiveIntegerField(default=28, help_text="Days a survey link stays valid.")
    excluded_outcomes = models.JSONField(
        default=list, blank=True,
        help_text="Playbook outcomes after which no survey is sent (closed as unresponsive, handed off).")
    automated_local_parts = models.JSONField(
        default=list, blank=True, help_text="Address local parts that are machines (noreply, mailer-daemon...).")
    review_bad_ratings = models.BooleanField(
        default=True, help_text="A bad rating opens a review task for a Team Supervisor.")
    nps_enabled = models.BooleanField(default=True)
    nps_period_days = models.PositiveIntegerField(
        default=90, help_text="A customer is asked the NPS question at most once in this many days.")

    class Meta:
        verbose_name_plural = "survey policies"

    def __str__(self) -> str:
        return f"survey policy {self.key}"


class BadRatingReason(ConfigurableEntry):
    """Why a customer rated the support bad: a list the team edits."""


class Rating(models.TextChoices):
    GOOD = "good"
    BAD = "bad"


class Survey(models.Model):
    """The CSAT survey of one ticket: scheduled when it is solved, sent by the sweep when due, answered once
    (and changed until it expires)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        CANCELLED = "cancelled"  # reopened before it went out
        SKIPPED = "skipped"  # an exclusion applied (see skipped_reason)
        SENT = "sent"

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="survey")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    next_due_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField()
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="Who had the ticket when it was solved.")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    skipped_reason = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    reason = models.ForeignKey(BadRatingReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["next_due_at"], condition=Q(status="scheduled"), name="survey_due"),
            models.Index(fields=["rated_at"], condition=~Q(rating=""), name="survey_rated"),
        ]

    def __str__(self) -> str:
        return f"survey of #{self.ticket_id} ({self.status}{', ' + self.rating if self.rating else ''})"


class NpsSurvey(models.Model):
    """The 0-10 relationship question ("how likely are you to recommend us"), asked at most once a period."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="nps_surveys")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="nps_surveys",
                               help_text="The solved ticket whose survey round asked it.")
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["customer", "sent_at"], name="nps_customer_sent"),
                   models.Index(fields=["answered_at"], name="nps_answered")]

    def __str__(self) -> str:
        return f"NPS of {self.customer_id} ({self.score if self.score is not None else 'unanswered'})"

    @property
    def group_name(self) -> str:
        """Detractors 0-6, passives 7-8, promoters 9-10."""
        return "" if self.score is None else nps_group(self.score)


class RatingReview(models.Model):
    """A Team Supervisor's task: look into a bad rating."""

    class Status(models.TextChoices):
        OPEN = "open"
        DONE = "done"

    survey = models.OneToOneField(Survey, on_delete=models.PROTECT, related_name="review")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="rating_review_queue")]

    def __str__(self) -> str:
        return f"review of the bad rating on #{self.survey.ticket_id} ({self.status})"
