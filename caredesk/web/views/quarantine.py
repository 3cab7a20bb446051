"""Admin › Quarantined mail: inbound messages whose parsing failed twice, to retry or discard (Admins only).

The same actions as the API's (`channels.actions.retry_quarantined`, `discard_quarantined`), each audited."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caredesk.channels import actions
from caredesk.channels.models import InboundMessage
from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.web.permissions import requires

SHOWN = 200


@requires(roles.MANAGE_INBOUND)
def quarantine(request):
    quarantined = InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).defer("raw")
    return render(request, "web/quarantine.html", {"rows": list(quarantined[:SHOWN]), "count": quarantined.count(),
                                                   "shown": SHOWN})


@requires(roles.MANAGE_INBOUND)
@require_POST
def retry(request, pk: int):
    return _change(request, pk, actions.retry_quarantined, "will be processed again on the worker's next pass")


@requires(roles.MANAGE_INBOUND)
@require_POST
def discard(request, pk: int):
    return _change(request, pk, actions.discard_quarantined, "was discarded; its original is kept")


def _change(request, pk: int, action, done: str):
    try:
        action([pk], actor=Actor.of_agent(request.user))
    except DomainError as error:  # retried or discarded meanwhile (another admin, another tab)
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Inbound message #{pk} {done}.")
    return redirect("web:quarantine")
