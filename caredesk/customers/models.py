"""Customers with their contact points, and their orders."""

from __future__ import annotations

from django.db import models

from caredesk.core.audit import AuditEvent


class ConfigurableEntry(models.Model):
    """One entry of a list a team configures (customer types, industries, ticket types...).

    `key` is the stable name playbooks refer to; `name` is what people read and may change.
    """

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CustomerType(ConfigurableEntry):
    """e.g. "Website Care", "Homeowner"."""


class Industry(ConfigurableEntry):
    """The industry or product of an order, e.g. US Passport, TSA PreCheck, EIN, Website Care."""

    class Meta(ConfigurableEntry.Meta):
        verbose_name_plural = "industries"


class Customer(models.Model):
    class Importance(models.TextChoices):
        STANDARD = "standard"
        KEY = "key"
        VIP = "vip", "VIP"

    class PreferredChannel(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"
        SMS = "sms", "Text message"

    name = models.CharField(max_length=200, db_index=True)
    customer_type = models.ForeignKey(CustomerType, null=True, blank=True, on_delete=models.PROTECT)
    importance = models.CharField(max_length=16, choices=Importance.choices, default=Importance.STANDARD)
    preferred_channel = models.CharField(max_length=16, choices=PreferredChannel.choices, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def contact_values(self, kind: str) -> list[str]:
        """Uses prefetched contact points when present."""
        return [point.value for point in self.contact_points.all() if point.kind == kind]

    @property
    def emails(self) -> list[str]:
        return self.contact_values(ContactPoint.Kind.EMAIL)

    @property
    def phones(self) -> list[str]:
        return self.contact_values(ContactPoint.Kind.PHONE)


class ContactPoint(models.Model):
    """An email address or phone number (E.164) of a customer. One value belongs to one customer."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=254)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="contact_point_unique_value")]

    def __str__(self) -> str:
        return self.value


class Order(models.Model):
    external_reference = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=100, blank=True, help_text='Free value, e.g. "Unresponsive".')
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.external_reference


class CustomerEvent(AuditEvent):
    """Audit trail of customers and orders."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="events")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="events")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["customer", "at"])]
