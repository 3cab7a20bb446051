"""Search: one box over ticket numbers, subjects, bodies, customer names and contact points."""

from __future__ import annotations

from django.shortcuts import redirect, render

from caredesk.core import roles
from caredesk.web import queries
from caredesk.web.permissions import requires


@requires(roles.WORK_TICKETS)
def search(request):
    text = request.GET.get("q", "")
    results = queries.search(text)
    number = results.query.lstrip("#")
    if results.exact_ticket is not None and results.query.startswith("#") and number.isdigit():
        return redirect("web:ticket", pk=results.exact_ticket.pk)
    return render(request, "web/search.html", {"results": results, "q": results.query})
