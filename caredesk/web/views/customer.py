"""The customer page: contact points, orders and all their tickets."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import Customer
from caredesk.tickets.models import Ticket
from caredesk.web import forms
from caredesk.web.permissions import requires

TICKET_LIMIT = 200


def _context(customer, form=None):
    tickets = list(Ticket.objects.filter(requester=customer).select_related("assignee", "ticket_type", "group")
                   .order_by("-id")[: TICKET_LIMIT + 1])
    return {
        "customer": customer,
        "contact_points": list(customer.contact_points.all()),
        "orders": list(customer.orders.select_related("industry").order_by("-id")),
        "tickets": tickets[:TICKET_LIMIT], "more_tickets": len(tickets) > TICKET_LIMIT,
        "contact_form": form or forms.ContactPointForm(),
    }


def _customer(pk: int) -> Customer:
    customer = Customer.objects.select_related("customer_type").filter(pk=pk).first()
    if customer is None:
        raise Http404(f"No customer #{pk}.")
    return customer


@requires(roles.WORK_TICKETS)
def customer_page(request, pk: int):
    return render(request, "web/customer.html", _context(_customer(pk)))


@requires(roles.MANAGE_CUSTOMERS)
@require_POST
def add_contact(request, pk: int):
    customer = _customer(pk)
    form = forms.ContactPointForm(request.POST)
    if form.is_valid():
        try:
            customer_actions.add_contact_points(
                customer, actor=Actor.of_agent(request.user),
                emails=[form.cleaned_data["email"]] if form.cleaned_data["email"] else [],
                phones=[form.cleaned_data["phone"]] if form.cleaned_data["phone"] else [],
            )
        except DomainError as error:
            forms.show_domain_error(form, error, {"emails": "email", "phones": "phone"})
        else:
            messages.success(request, "Contact point added.")
            return redirect("web:customer", pk=pk)
    return render(request, "web/customer.html", _context(customer, form), status=422)
