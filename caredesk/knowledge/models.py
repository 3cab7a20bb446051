"""The knowledge base (SOP 004: "Utilize a Knowledge Base", "Create a link to your common inquiries"): articles in
Markdown, each revision kept as a version, the tickets whose replies used them, and the public "was this helpful?"
votes. Written only by caredesk.knowledge.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.core.audit import AuditEvent
from caredesk.customers.models import ConfigurableEntry
from caredesk.tickets.models import Interaction, Ticket


class ArticleCategory(ConfigurableEntry):
    """A group of articles on the public list (e.g. "US Passport", "EIN"): a list the team edits."""

    description = models.TextField(blank=True, help_text="Shown under the category on the public list.")
    unhelpful_vote_opens_ticket = models.BooleanField(
        default=False, help_text="A visitor who votes that an article of this category did not help may leave an "
                                 "email address and a question, which opens a ticket.")

    class Meta(ConfigurableEntry.Meta):
        verbose_name_plural = "article categories"


class Article(models.Model):
    class Guide(models.TextChoices):
        """Where the workspace links to an article, one article per place: SOP 004's tips ("Link to a template of
        what a clear and detailed ticket looks like", "Link your detailed escalation path") and SOP 002's
        de-escalation page ("use ... when applicable, to de-escalate an irate customer")."""

        TICKET = "ticket", "What a clear and detailed ticket looks like"
        ESCALATION = "escalation", "The escalation path"
        DEESCALATION = "deescalation", "How to de-escalate an irate customer"

    class Visibility(models.TextChoices):
        INTERNAL = "internal"
        PUBLIC = "public"

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, help_text="Its address; kept when the title changes, so "
                                                                   "links in sent replies keep working.")
    body = models.TextField(help_text="Markdown.")
    category = models.ForeignKey(ArticleCategory, on_delete=models.PROTECT, related_name="articles")
    tags = models.JSONField(default=list, blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    guide = models.CharField(max_length=16, choices=Guide.choices, blank=True, help_text=(
        "Where the workspace links to it while it is published: the new ticket page, the escalation panel."))

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "visibility", "category"], name="article_listing")]
        constraints = [models.UniqueConstraint(fields=["guide"], condition=~models.Q(guide=""),
                                               name="article_one_per_guide")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        """Readable by anyone, signed in or not."""
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC


class ArticleVersion(models.Model):
    """What an article said at one version: a row per revision, never changed."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    category = models.ForeignKey(ArticleCategory, on_delete=models.PROTECT, related_name="+")
    tags = models.JSONField(default=list, blank=True)
    visibility = models.CharField(max_length=16, choices=Article.Visibility.choices)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["article", "-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="article_version_once")]


class ArticleUse(models.Model):
    """An article inserted into a reply that was sent on a ticket."""

    class How(models.TextChoices):
        LINK = "link"
        TEXT = "text"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="uses")
    version = models.PositiveIntegerField()
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="article_uses")
    interaction = models.ForeignKey(Interaction, on_delete=models.PROTECT, related_name="article_uses")
    how = models.CharField(max_length=8, choices=How.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["article", "interaction"], name="article_use_once")]
        indexes = [models.Index(fields=["article", "at"], name="article_use_article")]


class ArticleVote(models.Model):
    """A public visitor's "was this helpful?" answer: one per visitor and article (a second vote replaces it).

    `visitor` and `address` are keyed digests of the visitor's cookie and IP address, never the values."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="votes")
    visitor = models.CharField(max_length=64)
    address = models.CharField(max_length=64, db_index=True)
    helpful = models.BooleanField()
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="The ticket an unhelpful vote opened.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["article", "visitor"], name="article_vote_per_visitor")]
        indexes = [models.Index(fields=["address", "at"], name="article_vote_address")]


class ArticleEvent(AuditEvent):
    """The append-only trail of every change to an article: created, revised, published, used, voted on."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="events")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["article", "at"], name="article_event_article")]
