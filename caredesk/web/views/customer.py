"""The customer page: details, contact points, orders, the customer's recent history and all their tickets.

Agents with `manage_customers` edit the record here: the details, contact points (add, remove) and orders
(add, change industry and status), each through caredesk.customers.actions. Each POST answers htmx with its
section (errors beside the fields, or a confirmation) and tells the history to refresh
(`customerChanged`); without htmx it redirects back to the section, or shows the page again with the
errors (422).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.customers import actions as customer_actions
from caredesk.customers.contact import display_phone
from caredesk.customers.models import ContactPoint, Customer, CustomerType, Industry, Order
from caredesk.tickets.models import Ticket
from caredesk.web import forms
from caredesk.web.customer_history import recent_history
from caredesk.web.permissions import requires

TICKET_LIMIT = 200
HISTORY_LIMIT = 50

SECTIONS = {
    "details": "web/partials/customer_details.html",
    "contacts": "web/partials/customer_contacts.html",
    "orders": "web/partials/customer_orders.html",
}


def _customer(pk: int) -> Customer:
    customer = Customer.objects.select_related("customer_type").filter(pk=pk).first()
    if customer is None:
        raise Http404(f"No customer #{pk}.")
    return customer


def _may_manage(request) -> bool:
    return request.user.can(roles.MANAGE_CUSTOMERS)


def _industries(customer: Customer) -> list[Industry]:
    """The active industries and the retired ones this customer's orders still have, in one query."""
    return list(Industry.objects.filter(Q(active=True) | Q(order__customer=customer)).distinct())


def _details_form(customer: Customer, data=None) -> forms.CustomerDetailsForm:
    types = CustomerType.objects.filter(Q(active=True) | Q(pk=customer.customer_type_id))
    return forms.CustomerDetailsForm(data, customer=customer, customer_types=list(types))


def details_context(request, customer: Customer, form=None, message: str = "") -> dict:
    if form is None and _may_manage(request):
        form = _details_form(customer)
    return {"customer": customer, "details_form": form, "details_message": message,
            "preferred_channel": forms.PREFERRED_CHANNEL_LABELS.get(customer.preferred_channel, "")}


def _shown(point: ContactPoint) -> str:
    """A contact point as people read it: +1 415-555-0132, not +14155550132."""
    return display_phone(point.value) if point.kind == ContactPoint.Kind.PHONE else point.value


def contacts_context(request, customer: Customer, form=None, message: str = "") -> dict:
    points = [(point, _shown(point)) for point in customer.contact_points.all()]
    return {"customer": customer, "contact_points": points,
            "contact_form": form or forms.ContactPointForm(), "contacts_message": message}


def orders_context(request, customer: Customer, bound=None, message: str = "") -> dict:
    """The orders, and for a manager a form per order and one to add an order; `bound` (a form with
    errors) replaces its fresh twin."""
    orders = list(customer.orders.select_related("industry").order_by("-id"))
    context = {"customer": customer, "orders": orders, "orders_message": message}
    if _may_manage(request):
        industries = _industries(customer)
        context["new_order_form"] = forms.NewOrderForm(industries=industries)
        context["order_forms"] = {order.pk: forms.OrderForm(order=order, industries=industries) for order in orders}
        if isinstance(bound, forms.NewOrderForm):
            context["new_order_form"] = bound
        elif isinstance(bound, forms.OrderForm):
            context["order_forms"][bound.order.pk] = bound
    return context


def history_context(customer: Customer) -> dict:
    rows, more = recent_history(customer, HISTORY_LIMIT)
    return {"customer": customer, "history": rows, "more_history": more}


def page_context(request, customer: Customer, section: str = "", bound=None) -> dict:
    tickets = list(Ticket.objects.filter(requester=customer).select_related("assignee", "ticket_type", "group")
                   .order_by("-id")[: TICKET_LIMIT + 1])
    return {
        **details_context(request, customer, bound if section == "details" else None),
        **contacts_context(request, customer, bound if section == "contacts" else None),
        **orders_context(request, customer, bound if section == "orders" else None),
        **history_context(customer),
        "tickets": tickets[:TICKET_LIMIT], "more_tickets": len(tickets) > TICKET_LIMIT,
    }


def _saved(request, customer: Customer, section: str, context: dict, message: str):
    """After a write: the section for htmx (the history refreshes itself), else back to the page."""
    if not request.htmx:
        if message:
            messages.success(request, message)
        return redirect(reverse("web:customer", args=[customer.pk]) + f"#customer-{section}")
    response = render(request, SECTIONS[section], context)
    response["HX-Trigger"] = "customerChanged"
    return response


def _refused(request, customer: Customer, section: str, form, context: dict):
    """A form with errors: its section for htmx, else the whole page with the errors (422)."""
    if request.htmx:
        return render(request, SECTIONS[section], context)
    return render(request, "web/customer.html", page_context(request, customer, section, form), status=422)


def _apply(form, action, field_map: dict | None = None) -> bool:
    """Run `action` when the form is valid; an action's error goes beside its field. True when it ran."""
    if not form.is_valid():
        return False
    try:
        action()
    except DomainError as error:
        forms.show_domain_error(form, error, field_map)
        return False
    return True


@requires(roles.WORK_TICKETS)
def customer_page(request, pk: int):
    return render(request, "web/customer.html", page_context(request, _customer(pk)))


@requires(roles.WORK_TICKETS)
def customer_history(request, pk: int):
    return render(request, "web/partials/customer_history.html", history_context(_customer(pk)))


@requires(roles.MANAGE_CUSTOMERS)
@require_POST
def edit_details(request, pk: int):
    customer = _customer(pk)
    form = _details_form(customer, request.POST)

    def update():
        customer_actions.update_customer(customer, actor=Actor.of_agent(request.user), **forms.changed_values(form))

    if not _apply(form, update):
        return _refused(request, customer, "details", form, details_context(request, customer, form))
    message = "Details saved." if form.changed_data else "Nothing changed."
    customer = _customer(pk)
    return _saved(request, customer, "details", details_context(request, customer, message=message), message)


@requires(roles.MANAGE_CUSTOMERS)
@require_POST
def add_contact(request, pk: int):
    customer = _customer(pk)
    form = forms.ContactPointForm(request.POST)

    def add():
        customer_actions.add_contact_points(
            customer, actor=Actor.of_agent(request.user),
            emails=[form.cleaned_data["email"]] if form.cleaned_data["email"] else [],
            phones=[form.cleaned_data["phone"]] if form.cleaned_data["phone"] else [],
        )

    if not _apply(form, add, {"emails": "email", "phones": "phone"}):
        return _refused(request, customer, "contacts", form, contacts_context(request, customer, form))
    message = "Contact point added."
    return _saved(request, customer, "contacts", contacts_context(request, customer, message=message), message)


@requires(roles.MANAGE_CUSTOMERS)
@require_POST
def remove_contact(request, pk: int, point_id: int):
    customer = _customer(pk)
    point = customer.contact_points.filter(pk=point_id).first()
    if point is None:
        raise Http404("No such contact point on this customer.")
    try:
        customer_actions.remove_contact_point(customer, actor=Actor.of_agent(request.user), value=point.value)
    except DomainError:  # removed meanwhile (another agent, another tab): the fresh list shows it gone
        message = ""
    else:
        message = f"Removed {_shown(point)}."
    return _saved(request, customer, "contacts", contacts_context(request, customer, message=message), message)


@requires(roles.MANAGE_CUSTOMERS)
@require_POST
def add_order(request, pk: int):
    customer = _customer(pk)
    form = forms.NewOrderForm(request.POST, industries=_industries(customer))

    def create():
        customer_actions.create_order(actor=Actor.of_agent(request.user), customer=customer, **form.cleaned_data)

    if not _apply(form, create):
        return _refused(request, customer, "orders", form, orders_context(request, customer, form))
    message = f"Order {form.cleaned_data['external_reference']} added."
    return _saved(request, customer, "orders", orders_context(request, customer, message=message), message)


@requires(roles.MANAGE_CUSTOMERS)
@require_POST
def edit_order(request, pk: int, order_id: int):
    customer = _customer(pk)
    order = Order.objects.select_related("industry").filter(pk=order_id, customer=customer).first()
    if order is None:
        raise Http404("No such order for this customer.")
    form = forms.OrderForm(request.POST, order=order, industries=_industries(customer))
    changed = []

    def update():
        changed.extend(customer_actions.update_order(order, actor=Actor.of_agent(request.user),
                                                     **forms.changed_values(form))[1])

    if not _apply(form, update):
        return _refused(request, customer, "orders", form, orders_context(request, customer, form))
    message = f"Order {order.external_reference} saved." if changed else "Nothing changed."
    return _saved(request, customer, "orders", orders_context(request, customer, message=message), message)
