"""An inbound email's "show original": its HTML version, sanitised (nh3) and shown in a sandboxed frame where
no script can run, and the message exactly as received, as a download (audited).

The frame's page has its own Content-Security-Policy (`sandbox`, no scripts, no requests but inline images)
and may be framed only by caredesk's own pages; the frame element is `sandbox` without allow-scripts."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_sameorigin

from caredesk.channels import actions as channel_actions
from caredesk.channels.email.bodies import sanitise_html
from caredesk.channels.models import InboundMessage
from caredesk.core import roles
from caredesk.tickets.models import Interaction
from caredesk.web.permissions import requires

FRAME_POLICY = ("sandbox; default-src 'none'; script-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def _email(pk: int, interaction_id: int) -> Interaction:
    interaction = (Interaction.objects.select_related("ticket")
                   .filter(pk=interaction_id, ticket_id=pk, channel="email").first())
    if interaction is None or not (interaction.details or {}).get("inbound_message"):
        raise Http404("No email received on this ticket with that id.")
    return interaction


@requires(roles.WORK_TICKETS)
def original(request, pk: int, interaction_id: int):
    interaction = _email(pk, interaction_id)
    details = interaction.details
    return render(request, "web/original.html", {
        "ticket": interaction.ticket, "interaction": interaction, "details": details,
        "has_html": bool(details.get("html")),
    })


@requires(roles.WORK_TICKETS)
@xframe_options_sameorigin
def original_html(request, pk: int, interaction_id: int):
    """The HTML version for the sandboxed frame, sanitised again as it is served."""
    details = _email(pk, interaction_id).details
    html = render_to_string("web/original_frame.html", {"html": sanitise_html(details.get("html") or "")})
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = FRAME_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(roles.WORK_TICKETS)
def original_raw(request, pk: int, interaction_id: int):
    interaction = _email(pk, interaction_id)
    inbound = InboundMessage.objects.filter(pk=interaction.details["inbound_message"]).first()
    if inbound is None:
        raise Http404("The message as received is no longer kept.")
    raw = channel_actions.download_original(inbound, agent=request.user, via="workspace")
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="ticket-{pk}-message-{interaction.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
