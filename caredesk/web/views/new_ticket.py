"""New ticket for a caller or walk-in: find the customer by name, email or phone, or create them."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.customers.models import Customer, Order
from caredesk.knowledge import queries as knowledge_queries
from caredesk.knowledge.models import Article
from caredesk.search import queries as search_queries
from caredesk.tickets import use_cases
from caredesk.web import forms
from caredesk.web.permissions import requires

# The use case names the API's fields; the form's are these.
FIELD_MAP = {"requester.name": "new_name", "requester.emails": "new_email", "requester.phones": "new_phone",
             "requester": "new_name", "requester_id": "new_name", "attachments": "documents", "order": "order"}


def _create(request, form) -> int | None:
    data = form.cleaned_data
    if data.get("customer"):
        requester = Customer.objects.filter(pk=data["customer"]).first()
        if requester is None:
            form.add_error("new_name", "That customer no longer exists; search again.")
            return None
    else:
        requester = use_cases.NewRequester(
            name=data["new_name"], emails=[data["new_email"]] if data["new_email"] else [],
            phones=[data["new_phone"]] if data["new_phone"] else [],
        )
    reference, order = data.get("order", "").strip(), None
    if reference:
        order = Order.objects.filter(external_reference__iexact=reference).select_related("customer").first()
        if order is None:
            form.add_error("order", f"No order has the reference {reference}.")
            return None
        if not isinstance(requester, Customer):
            form.add_error("order", f"Order {order} is {order.customer}'s; a new customer has no orders yet.")
            return None
    try:
        ticket = use_cases.open_ticket(
            actor=Actor.of_agent(request.user), requester=requester, subject=data["subject"],
            description=data["description"], ticket_type=data["ticket_type"], category=data["category"],
            priority=data["priority"], group=data["group"], assignee=data["assignee"], channel=data["channel"],
            tags=forms.tag_names(data["tags"]), attachments=forms.as_attachments(data["documents"]), order=order,
        )
    except DomainError as error:
        forms.show_domain_error(form, error, FIELD_MAP)
        return None
    return ticket.pk


@requires(roles.WORK_TICKETS)
def new_ticket(request):
    may_create = request.user.can(roles.MANAGE_CUSTOMERS)
    chosen = None
    if request.method == "POST":
        form = forms.NewTicketForm(request.POST, request.FILES, may_create_customer=may_create)
        if form.is_valid():
            pk = _create(request, form)
            if pk is not None:
                return redirect("web:ticket", pk=pk)
        customer_id = form.data.get("customer")
        if customer_id and str(customer_id).isdigit():
            chosen = Customer.objects.prefetch_related("contact_points", "orders").filter(pk=int(customer_id)).first()
        status = 422
    else:
        initial = {"assignee": request.user.pk}
        if request.GET.get("customer", "").isdigit():
            chosen = (Customer.objects.prefetch_related("contact_points", "orders")
                      .filter(pk=int(request.GET["customer"])).first())
            if chosen:
                initial["customer"] = chosen.pk
        form = forms.NewTicketForm(initial=initial, may_create_customer=may_create)
        status = 200
    return render(request, "web/new_ticket.html", {"form": form, "chosen": chosen, "may_create": may_create,
                                                   "guide": knowledge_queries.guide(Article.Guide.TICKET)},
                  status=status)


@requires(roles.WORK_TICKETS)
def customer_lookup(request):
    """htmx fragment: customers matching the lookup box, to pick as the requester."""
    text = request.GET.get("q", "").strip()
    customers = search_queries.customers(text, agent=request.user, limit=8) if len(text) >= 2 else []
    prefetch_related_objects(customers, "orders")  # offered as the ticket's order once one is picked
    return render(request, "web/partials/customer_matches.html", {"customers": customers, "query": text})
