"""The live workspace: the poll every open page makes (has my ticket, any ticket or my notifications changed?),
presence on a ticket, the notifications bell and list, and the agent's own settings (their time zone)."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from caredesk.core import roles
from caredesk.core.errors import DomainError
from caredesk.live import actions as live_actions
from caredesk.live import poll as live_poll
from caredesk.live import queries as live_queries
from caredesk.notifications import actions as notification_actions
from caredesk.notifications import queries as notification_queries
from caredesk.notifications.models import Notification
from caredesk.web.forms import show_domain_error, time_zone_choices
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket, panels_context


@require_GET
def poll(request):
    """What an open page watches, as JSON: `unread` (the bell), `ticket` (its ticket's change stamp) and `tickets`
    (every ticket's, for a list). The page's signed `token` says which (caredesk.live.queries.poll_token): the poll
    reads no session, and its state is one SQL statement. A conditional request (If-None-Match) answers 304 when
    nothing changed, the common answer, with no body; 403 when the token is forged or a day old, or the agent no
    longer active. Under `caredesk serve` the same answer comes from caredesk.live.poll.FastPoll, before Django."""
    status, body, etag = live_poll.answer(request.GET.get("token", ""), request.headers.get("If-None-Match", ""))
    if status == 304:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, status=status, content_type="application/json")
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@requires(roles.WORK_TICKETS)
@require_GET
def ticket_panels(request, pk: int):
    """The ticket page's panels that follow its changes (head, banners, properties, escalation, follow-up,
    timeline), rendered together: one request refreshes them all when the poll reports a change. The page
    itself renders the same partials with the same context (its own adds the rest of the page's)."""
    return render(request, "web/partials/ticket_live.html", panels_context(request, load_ticket(pk)))


@requires(roles.WORK_TICKETS)
@require_POST
def presence(request, pk: int):
    """The page's heartbeat (state viewing or replying; `leave=1` when the page closes): answers the others on the
    ticket, as the presence strip."""
    ticket = load_ticket(pk)
    if request.POST.get("leave"):
        live_actions.leave(request.user, ticket)
        return HttpResponse(status=204)
    try:
        live_actions.beat(request.user, ticket, request.POST.get("state") or "viewing")
    except DomainError as error:
        return JsonResponse({"detail": error.detail}, status=422)
    return render(request, "web/partials/presence.html", presence_context(ticket, request.user))


def presence_context(ticket, agent) -> dict:
    return {"ticket": ticket, "others": live_queries.present(ticket.pk, excluding=agent)}


@requires(roles.WORK_TICKETS)
def notifications_panel(request):
    """The bell's list: the newest notifications, unread ones marked."""
    return render(request, "web/partials/notifications.html", _notifications_context(request.user))


@requires(roles.WORK_TICKETS)
def notifications_page(request):
    return render(request, "web/notifications.html", _notifications_context(request.user))


def _notifications_context(agent) -> dict:
    return {"notifications": notification_queries.newest(agent),
            "unread": notification_queries.unread_count(agent)}


@requires(roles.WORK_TICKETS)
@require_POST
def read_notifications(request):
    """Mark all read (or `id`, then open its ticket)."""
    one = request.POST.get("id", "")
    if one.isdigit():
        notification_actions.mark_read(request.user, [int(one)])
        row = Notification.objects.filter(pk=int(one), agent=request.user).first()
        if row is not None and row.ticket_id:
            return redirect("web:ticket", pk=row.ticket_id)
        return redirect("web:notifications")
    marked = notification_actions.mark_read(request.user)
    if request.htmx:  # the bell's count follows on the page's next poll, which this request starts
        return render(request, "web/partials/notifications.html", _notifications_context(request.user))
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("web:notifications")


class SettingsForm(django_forms.Form):
    time_zone = django_forms.ChoiceField(label="Time zone", required=False)

    def __init__(self, *args, team_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", f"The team's ({team_zone})"), *time_zone_choices()]
        self.fields["time_zone"].help_text = "Every time in the workspace is shown in this zone."


@requires(roles.WORK_TICKETS)
def my_settings(request):
    """The agent's own settings: their time zone (audited)."""
    team_zone = live_queries.team_time_zone()
    if request.method == "POST":
        form = SettingsForm(request.POST, team_zone=team_zone)
        if form.is_valid():
            try:
                live_actions.set_time_zone(request.user, form.cleaned_data["time_zone"])
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, "Settings saved.")
                return redirect("web:settings")
        return render(request, "web/settings.html", {"form": form}, status=422)
    form = SettingsForm(initial={"time_zone": live_queries.own_time_zone(request.user)}, team_zone=team_zone)
    return render(request, "web/settings.html", {"form": form})
