"""Views (queues): built-in, saved and team views with capped counts in the sidebar; filters, sorting and
keyset paging over tickets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.tickets.models import Category, Group, Priority, TicketType
from caredesk.web import actions, queries
from caredesk.web.desk_forms import BulkForm
from caredesk.web.forms import SaveViewForm, ViewFilterForm, show_domain_error
from caredesk.web.models import SavedView
from caredesk.web.permissions import requires

MAX_SIDEBAR_VIEWS = 30

BUILT_IN_VIEWS = [
    ("My active tickets", {"assignee": "me"}),
    ("Unassigned", {"assignee": "none", "status": "unsolved"}),
    ("Unassigned in my groups", {"group": "mine", "assignee": "none", "status": "unsolved"}),
    ("My groups", {"group": "mine"}),
    ("All active", {}),
    ("New", {"status": "new"}),
    ("Waiting on the customer", {"status": "pending"}),
    ("On hold", {"status": "on_hold"}),
    ("Urgent", {"priority": str(Priority.URGENT.value)}),
    ("Needs additional review", {"review": "needed"}),
    ("SLA breaching next", {"breach": "running", "sort": "breach", "dir": "asc"}),
    ("Untouched for 3 days", {"status": "unsolved", "age": "3d", "sort": "updated", "dir": "asc"}),
    ("Recently solved", {"status": "solved"}),
]


def lookups() -> dict:
    """The lists the filter bar offers: 4 small queries."""
    return {
        "types": list(TicketType.objects.filter(active=True)),
        "groups": list(Group.objects.filter(active=True)),
        "categories": list(Category.objects.filter(active=True)),
        "agents": list(Agent.objects.filter(is_active=True).order_by("first_name", "username")),
    }


def visible_saved_views(agent) -> list[SavedView]:
    return list(
        SavedView.objects.filter(Q(owner=agent) | Q(shared_with__in=agent.groups.all()))
        .select_related("owner", "shared_with").distinct().order_by("name", "id")[:MAX_SIDEBAR_VIEWS]
    )


def sidebar(agent, lookup_lists, saved_views, current_query: dict) -> list[dict]:
    """Sections of the sidebar with their links and capped counts, all counted in one query."""
    sections = [
        {"title": "Views", "items": [{"name": name, "query": query} for name, query in BUILT_IN_VIEWS]},
        {"title": "Groups", "items": [{"name": group.name, "query": {"group": str(group.pk)}}
                                      for group in lookup_lists["groups"]]},
        {"title": "My saved views", "items": [
            {"name": view.name, "query": {**view.filters, "saved": str(view.pk)}, "saved": view}
            for view in saved_views if view.owner_id == agent.pk]},
        {"title": "Team views", "items": [
            {"name": view.name, "query": {**view.filters, "saved": str(view.pk)}, "saved": view,
             "note": f"{view.owner.display_name} · {view.shared_with.name}"}
            for view in saved_views if view.owner_id != agent.pk]},
    ]
    items = [item for section in sections for item in section["items"]]
    querysets = [queries.filtered_tickets(queries.parse_filters(item["query"]), agent) for item in items]
    for item, (count, capped) in zip(items, queries.capped_counts(querysets)):
        item["count"], item["capped"] = count, capped
        normalized = queries.parse_filters(item["query"]).as_query()
        item["href"] = "?" + urlencode({**normalized, **({"saved": item["query"]["saved"]} if "saved" in item["query"] else {})})
        item["current"] = normalized == current_query and (
            ("saved" in item["query"]) == bool(current_query.get("saved"))
        )
    return sections


@requires(roles.WORK_TICKETS)
def views_page(request):
    agent = request.user
    params = request.GET
    saved = None
    if params.get("saved"):
        saved_views = visible_saved_views(agent)
        saved = next((view for view in saved_views if str(view.pk) == params["saved"]), None)
        if saved is None:
            raise Http404("No such saved view.")
        merged = {**saved.filters, **{k: v for k, v in params.items() if k not in ("saved", "cursor")}}
        filters = queries.parse_filters(merged)
    else:
        saved_views = visible_saved_views(agent)
        filters = queries.parse_filters(params)
    lookup_lists = lookups()
    page = queries.ticket_page(filters, agent, cursor=params.get("cursor", ""))
    query = filters.as_query()
    current = {**query, **({"saved": str(saved.pk)} if saved else {})}
    context = {
        "filters": filters, "query": query, "current_query": current, "page": page, "saved": saved,
        "filter_form": ViewFilterForm(initial={**query, "status": filters.status, "sort": filters.sort,
                                               "dir": filters.direction, "size": filters.page_size},
                                      lookups=lookup_lists),
        "save_form": SaveViewForm(agent=agent, initial={"name": saved.name if saved else "",
                                                        "shared_with": saved.shared_with_id if saved else None}),
        "sidebar": sidebar(agent, lookup_lists, saved_views, {**query, **({"saved": str(saved.pk)} if saved else {})}),
        "next_dir": {key: "asc" if filters.sort == key and filters.direction == "desc" else "desc"
                     for key in queries.SORTS},
        "first_page": not params.get("cursor"),
        "next_href": "?" + urlencode({**current, "cursor": page.next_cursor}) if page.next_cursor else "",
        "first_href": "?" + urlencode(current),
        "bulk_form": BulkForm(agents=lookup_lists["agents"], auto_id="bulk-%s"),
    }
    template = "web/partials/view_results.html" if request.htmx and request.htmx.target == "view-results" \
        else "web/views.html"
    return render(request, template, context)


@requires(roles.WORK_TICKETS)
@require_POST
def save_view(request):
    agent = request.user
    form = SaveViewForm(request.POST, agent=agent)
    filters = queries.parse_filters(request.POST).as_query()
    if form.is_valid():
        try:
            view = actions.save_view(agent=agent, name=form.cleaned_data["name"], filters=filters,
                                     shared_with=form.cleaned_data["shared_with"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            return redirect(f"/views/?{urlencode({**view.filters, 'saved': view.pk})}")
    messages.error(request, " ".join(f"{e}" for errors in form.errors.values() for e in errors))
    return redirect(f"/views/?{urlencode(filters)}")


@requires(roles.WORK_TICKETS)
@require_POST
def delete_view(request, pk: int):
    view = SavedView.objects.filter(pk=pk).first()
    if view is None:
        raise Http404("No such saved view.")
    try:
        actions.delete_view(view, agent=request.user)
    except DomainError as error:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(error.detail) from None
    messages.success(request, f"Removed the view “{view.name}”.")
    return redirect("web:views")
