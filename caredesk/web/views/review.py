"""The ticket page's "additional review" banner (SOP 002's sensitive issues): clear a flag with a reason.

Clearing goes through caredesk.review.actions; the POST answers with the banner for htmx and tells the
rest of the page to refresh; without htmx it redirects to the ticket.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.review import actions
from caredesk.review.models import ReviewFlag
from caredesk.web import forms
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket, review_context

# The rest of the page (timeline, header) refreshes; the banner, which sent it, does not.
CHANGED = json.dumps({"ticketChanged": {"source": "review"}})


@requires(roles.WORK_TICKETS)
def review_banner(request, pk: int):
    return render(request, "web/partials/review_flags.html", review_context(load_ticket(pk)))


@requires(roles.WORK_TICKETS)
@require_POST
def clear_review_flag(request, pk: int, flag_id: int):
    ticket = load_ticket(pk)
    flag = ReviewFlag.objects.filter(ticket=ticket, pk=flag_id).first()
    if flag is None:
        raise Http404("No such review flag on this ticket.")
    form = forms.ClearReviewFlagForm(request.POST, flag=flag)
    if form.is_valid():
        try:
            actions.clear_flag(flag, agent=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            forms.show_domain_error(form, error)
        else:
            message = f"Cleared “{flag.qualifier_name}”."
            if not request.htmx:
                messages.success(request, message)
                return redirect("web:ticket", pk=pk)
            response = render(request, "web/partials/review_flags.html", review_context(ticket, message=message))
            response["HX-Trigger"] = CHANGED
            return response
    if not request.htmx:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(reverse("web:ticket", args=[pk]) + "#review")
    return render(request, "web/partials/review_flags.html", review_context(ticket, bound=form))
