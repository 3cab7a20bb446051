"""Agent workspace views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from caredesk.tickets import queries


@login_required
def home(request):
    """My work: the signed-in agent's active tickets."""
    tickets = list(queries.agent_queue(request.user)[:50])
    return render(request, "web/home.html", {"tickets": tickets})
