"""The only writers of customers, contact points and orders. Each change writes a CustomerEvent."""

from __future__ import annotations

from typing import Any, Iterable

from django.db import IntegrityError, transaction

from caredesk.core import audit, clock
from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes, audit_value
from caredesk.core.db import statements
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers.contact import normalize_email, normalize_phone
from caredesk.customers.models import ContactPoint, Customer, CustomerEvent, CustomerType, Industry, Order

CUSTOMER_FIELDS = {"name", "customer_type", "importance", "preferred_channel"}
ORDER_FIELDS = {"status", "industry", "customer"}


def _record(actor: Actor, customer: Customer, action: str, **details) -> CustomerEvent:
    return audit.write(CustomerEvent.build(actor, action, customer=customer, **details))


def record_event(actor: Actor, customer: Customer, action: str, **details) -> CustomerEvent:
    """One audit event about a customer, for the actions of other apps (a contract tier, caredesk.sla)."""
    return _record(actor, customer, action, **details)


def _check_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ValidationFailed(f"{field} must be one of {', '.join(choices.values)}, not {value!r}.", field=field)


def _validated_customer_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} cannot be changed here.", field=sorted(unknown)[0])
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise ValidationFailed("A customer needs a name.", field="name")
        if len(fields["name"]) > 200:
            raise ValidationFailed("A name has at most 200 characters.", field="name")
    if "importance" in fields:
        if fields["importance"] is None:
            raise ValidationFailed("A customer's importance cannot be empty.", field="importance")
        _check_choice(fields["importance"], Customer.Importance, "importance")
    if "preferred_channel" in fields:
        fields["preferred_channel"] = fields["preferred_channel"] or ""  # None clears it
        if fields["preferred_channel"]:
            _check_choice(fields["preferred_channel"], Customer.PreferredChannel, "preferred_channel")
    if isinstance(fields.get("customer_type"), CustomerType) and not fields["customer_type"].active:
        raise ValidationFailed(f"Customer type {fields['customer_type']} is retired.", field="customer_type")
    return fields


def _normalized_contacts(emails: Iterable[str], phones: Iterable[str]) -> list[tuple[str, str]]:
    points: list[tuple[str, str]] = []
    for index, email in enumerate(emails):
        points.append((ContactPoint.Kind.EMAIL, normalize_email(email, field=f"emails[{index}]")))
    for index, phone in enumerate(phones):
        points.append((ContactPoint.Kind.PHONE, normalize_phone(phone, field=f"phones[{index}]")))
    return points


def _add_points(actor: Actor, customer: Customer, points: list[tuple[str, str]], start: int = 0) -> None:
    for offset, (kind, value) in enumerate(points):
        try:  # the unique constraint answers whether the value is free; its owner is read only when it is not
            with transaction.atomic():
                statements.insert(ContactPoint(customer=customer, kind=kind, value=value, position=start + offset))
        except IntegrityError:
            owner = ContactPoint.objects.filter(kind=kind, value=value).select_related("customer").first()
            if owner is not None and owner.customer_id == customer.pk:
                continue
            whose = "another customer" if owner is None else f"customer #{owner.customer_id} ({owner.customer})"
            # (no owner yet: taken by a concurrent transaction not committed yet)
            raise Conflict(f"{value} already belongs to {whose}.", field=f"{kind}s") from None
        _record(actor, customer, "contact_point.added", field=kind, after=value)


@transaction.atomic
def create_customer(
    *,
    actor: Actor,
    name: str,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    customer_type: CustomerType | None = None,
    importance: str = Customer.Importance.STANDARD,
    preferred_channel: str = "",
) -> Customer:
    fields = _validated_customer_fields(
        {"name": name, "customer_type": customer_type, "importance": importance,
         "preferred_channel": preferred_channel or ""}
    )
    points = _normalized_contacts(emails, phones)
    now = clock.now()
    customer = statements.insert(Customer(created_at=now, updated_at=now, **fields))
    _record(actor, customer, "customer.created", after={k: audit_value(v) for k, v in fields.items()})
    _add_points(actor, customer, points)
    return customer


@transaction.atomic
def update_customer(customer: Customer, *, actor: Actor, **changes: Any) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = apply_changes(customer, _validated_customer_fields(changes))
    if changed:
        customer.updated_at = clock.now()
        customer.save()
        for field, before, after in changed:
            _record(actor, customer, "customer.changed", field=field, before=before, after=after)
    return customer


@transaction.atomic
def add_contact_points(
    customer: Customer, *, actor: Actor, emails: Iterable[str] = (), phones: Iterable[str] = ()
) -> Customer:
    points = _normalized_contacts(emails, phones)
    start = customer.contact_points.count()
    _add_points(actor, customer, points, start=start)
    Customer.objects.filter(pk=customer.pk).update(updated_at=clock.now())
    return customer


@transaction.atomic
def remove_contact_point(customer: Customer, *, actor: Actor, value: str) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer.pk)  # as every change of a customer
    point = customer.contact_points.filter(value=value).first()
    if point is None:
        raise ValidationFailed(f"{value} is not a contact point of this customer.", field="value")
    point.delete()
    _record(actor, customer, "contact_point.removed", field=point.kind, before=value)
    Customer.objects.filter(pk=customer.pk).update(updated_at=clock.now())
    return customer


def find_customer_by_contact(*, email: str | None = None, phone: str | None = None) -> Customer | None:
    """The customer owning an email address or phone number (already normalised), or None."""
    filters = []
    if email:
        filters.append((ContactPoint.Kind.EMAIL, email.lower()))
    if phone:
        filters.append((ContactPoint.Kind.PHONE, phone))
    for kind, value in filters:
        point = ContactPoint.objects.select_related("customer").filter(kind=kind, value=value).first()
        if point is not None:
            return point.customer
    return None


def _check_industry(industry: Industry | None, *, current: int | None = None) -> None:
    """A retired industry can stay on an order that has it, not be given to one."""
    if industry is not None and not industry.active and industry.pk != current:
        raise ValidationFailed(f"Industry {industry} is retired.", field="industry")


def clean_order_status(status: str | None) -> str:
    """An order status as stored: trimmed, at most 100 characters (a free value, e.g. "Unresponsive")."""
    status = (status or "").strip()
    if len(status) > 100:
        raise ValidationFailed("An order status has at most 100 characters.", field="status")
    return status


@transaction.atomic
def create_order(
    *,
    actor: Actor,
    customer: Customer,
    external_reference: str,
    industry: Industry | None = None,
    status: str = "",
) -> Order:
    reference = (external_reference or "").strip()
    if not reference:
        raise ValidationFailed("An order needs its external reference.", field="external_reference")
    if len(reference) > 100:
        raise ValidationFailed("An external reference has at most 100 characters.", field="external_reference")
    if Order.objects.filter(external_reference=reference).exists():
        raise Conflict(f"Order {reference} already exists.", field="external_reference")
    _check_industry(industry)
    status = clean_order_status(status)
    now = clock.now()
    try:
        with transaction.atomic():  # a savepoint: a concurrent request may take the reference after the check
            order = Order.objects.create(
                external_reference=reference, customer=customer, industry=industry, status=status,
                created_at=now, updated_at=now,
            )
    except IntegrityError:
        raise Conflict(f"Order {reference} already exists.", field="external_reference") from None
    _record(actor, customer, "order.created", order=order,
            after={"external_reference": reference, "industry": audit_value(industry), "status": order.status})
    return order


class OrderChanges:
    """Changes of a batch of orders, the one writer of an order's fields after its creation.

    The orders are read once, locked, when this is made; `change` checks and applies one order's changes in
    memory (the rules of `update_order`); `write` saves every changed order with one UPDATE statement run per
    order and inserts their CustomerEvents ("order.changed": field, before, after) together. Callers hold
    the transaction.
    """

    def __init__(self, order_ids: Iterable[int], now=None):
        self.now = now or clock.now()
        self.orders = {order.pk: order for order in
                       Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk")}
        self.changed: dict[int, Order] = {}
        self.columns: set[str] = set()
        self.events: list[CustomerEvent] = []

    def order(self, order_id: int) -> Order:
        """The order as locked, with the changes made so far."""
        if order_id not in self.orders:
            raise Order.DoesNotExist(f"Order #{order_id} does not exist.")
        return self.orders[order_id]

    def change(self, order_id: int, actor: Actor, **changes: Any) -> list[tuple[str, Any, Any]]:
        """Change an order's status, industry or customer; returns (field, before, after) of what changed."""
        unknown = set(changes) - ORDER_FIELDS
        if unknown:
            raise ValidationFailed(f"{sorted(unknown)[0]} cannot be changed here.", field=sorted(unknown)[0])
        if "status" in changes:
            changes["status"] = clean_order_status(changes["status"])
        order = self.order(order_id)
        if "industry" in changes:
            _check_industry(changes["industry"], current=order.industry_id)
        changed = apply_changes(order, changes)
        if changed:
            order.updated_at = self.now
            self.changed[order.pk] = order
            self.columns.update(field for field, _, _ in changed)
            for field, before, after in changed:
                event = CustomerEvent.build(actor, "order.changed", customer_id=order.customer_id, order=order,
                                            field=field, before=before, after=after)
                event.at = self.now
                self.events.append(event)
        return changed

    def write(self) -> None:
        statements.update_rows(self.changed.values(), sorted(self.columns | {"updated_at"}))
        audit.write_all(self.events)
        self.changed, self.columns, self.events = {}, set(), []


@transaction.atomic
def update_order(order: Order, *, actor: Actor, **changes: Any) -> tuple[Order, list[tuple[str, Any, Any]]]:
    """Change an order's status, industry or customer; returns the order and what changed."""
    batch = OrderChanges([order.pk])
    changed = batch.change(order.pk, actor, **changes)
    batch.write()
    return batch.order(order.pk), changed
