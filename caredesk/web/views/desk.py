"""The desk in the workspace: assign to me, apply a macro, merge a duplicate (ticket page), bulk changes (views),
the responses library, where Team Supervisors edit canned responses and macros, and the groups page, where
everyone sees who works which group and Team Supervisors change its members. Every write is an action of
caredesk.desk.actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.desk import actions, queries
from caredesk.desk.models import Macro
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import CannedResponse, Group, Ticket
from caredesk.web import desk_forms
from caredesk.web.forms import show_domain_error
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket

# --- on a ticket ------------------------------------------------------------------------------------------------


def _on_ticket(request, pk: int, change, success: str, failure: str = ""):
    """Run `change` and say how it went above the ticket page."""
    try:
        change()
    except DomainError as error:
        messages.error(request, f"{failure}{error.detail}")
    else:
        messages.success(request, success)
    return redirect("web:ticket", pk=pk)


@requires(roles.WORK_TICKETS)
@require_POST
def assign_to_me(request, pk: int):
    ticket = load_ticket(pk)
    return _on_ticket(request, pk, lambda: actions.assign_to_me(ticket, agent=request.user),
                      f"#{pk} is assigned to you.")


@requires(roles.WORK_TICKETS)
@require_POST
def apply_macro(request, pk: int):
    ticket = load_ticket(pk)
    chosen = request.POST.get("macro", "")
    macro = Macro.objects.filter(pk=int(chosen), active=True).first() if chosen.isdigit() else None
    if macro is None:
        messages.error(request, "Choose a macro to apply.")
        return redirect("web:ticket", pk=pk)
    return _on_ticket(request, pk, lambda: actions.apply_macro(ticket, macro, actor=Actor.of_agent(request.user)),
                      f"Applied the macro {macro}.", f"The macro {macro} was not applied: ")


@requires(roles.WORK_TICKETS)
@require_POST
def merge(request, pk: int):
    """First post: the merge explained, to confirm; the confirmed post merges and opens the kept ticket."""
    ticket = load_ticket(pk)
    form = desk_forms.MergeForm(request.POST)
    target = None
    if form.is_valid():
        target = Ticket.objects.select_related("requester").filter(pk=form.cleaned_data["into"]).first()
        if target is None:
            form.add_error("into", f"There is no ticket #{form.cleaned_data['into']}.")
        elif target.pk == ticket.pk:
            form.add_error("into", "A ticket cannot be merged into itself.")
        elif form.cleaned_data["confirm"]:
            try:
                actions.merge(ticket, target, actor=Actor.of_agent(request.user))
            except DomainError as error:
                show_domain_error(form, error, {"target": "into", "source": "into"})
            else:
                messages.success(request, f"Merged #{ticket.pk} into #{target.pk}; #{ticket.pk} is closed.")
                return redirect("web:ticket", pk=target.pk)
    status = 200 if form.is_valid() and not form.errors else 422
    return render(request, "web/merge.html", {"ticket": ticket, "target": target if not form.errors else None,
                                              "form": form}, status=status)


@requires(roles.WORK_TICKETS)
@require_POST
def redact(request, pk: int):
    """First post: where the text is and how often (nothing changed yet), to confirm; the confirmed post
    replaces it everywhere and opens the ticket."""
    ticket = load_ticket(pk)
    form = desk_forms.RedactForm(request.POST)
    found = None
    if form.is_valid():
        text, actor = form.cleaned_data["text"], Actor.of_agent(request.user)
        try:
            if form.cleaned_data["confirm"]:
                done = ticket_actions.redact(ticket, actor=actor, text=text)
                messages.success(request, f"Redacted {_passages(done)} from #{ticket.pk}.")
                return redirect("web:ticket", pk=ticket.pk)
            found = _where(ticket_actions.preview_redaction(ticket, actor=actor, text=text))
        except DomainError as error:
            show_domain_error(form, error)
    status = 200 if form.is_valid() and not form.errors else 422
    return render(request, "web/redact.html", {"ticket": ticket, "form": form, "found": found}, status=status)


def _where(found: dict) -> list[tuple[str, int]]:
    """A redaction's result as (where, occurrences) for people."""
    where = [(name, found[name]) for name in ("subject", "description") if found[name]]
    if found["interactions"]:
        entries = len(found["interactions"])
        where.append((f"{entries} timeline entr{'y' if entries == 1 else 'ies'}", sum(found["interactions"].values())))
    return where + sorted(found["records"].items())


def _passages(found: dict) -> str:
    total = sum(count for _, count in _where(found))
    return f"{total} passage{'' if total == 1 else 's'}"


# --- bulk changes over a view ------------------------------------------------------------------------------------


def _back(request) -> str:
    target = request.POST.get("next") or "/views/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/views/"


@requires(roles.WORK_TICKETS)
@require_POST
def bulk(request):
    agents = list(Agent.objects.filter(is_active=True).order_by("first_name", "username"))
    form = desk_forms.BulkForm(request.POST, agents=agents)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(_back(request))
    data = form.cleaned_data
    changes = {}
    if data["assignee"] == "me":
        changes["assignee"] = request.user
    elif data["assignee"] == "none":
        changes["assignee"] = None
    elif data["assignee"]:
        changes["assignee"] = next(agent for agent in agents if str(agent.pk) == data["assignee"])
    try:
        result = actions.bulk_change(data["tickets"], actor=Actor.of_agent(request.user), status=data["status"],
                                     add_tags=desk_forms.tag_names(data["add_tags"]), macro=data["macro"],
                                     **changes)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(_back(request))
    if result.changed:
        count = len(result.changed)
        messages.success(request, f"Changed {count} ticket{'s' if count != 1 else ''}: "
                                  f"{', '.join(f'#{pk}' for pk in result.changed)}.")
    for pk, reason in result.refused.items():
        messages.error(request, f"#{pk} was not changed: {reason}")
    return redirect(_back(request))


# --- the responses library (Team Supervisors) --------------------------------------------------------------------


@requires(roles.MANAGE_RESPONSES)
def library(request):
    return render(request, "web/responses.html", {
        "canned": list(CannedResponse.objects.order_by("name")),
        "macros": list(Macro.objects.select_related("ticket_type", "category", "group", "assignee")),
    })


def _edit(request, *, form_class, instance, create, update, noun: str, form_kwargs=None):
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            actor = Actor.of_agent(request.user)
            try:
                saved = update(instance, actor=actor, **form.values()) if instance else create(actor=actor,
                                                                                            **form.values())
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, f"Saved the {noun} “{saved}”.")
                return redirect("web:responses")
        status = 422
    else:
        form = form_class(initial=form_class.initial_of(instance) if instance else None, **form_kwargs)
        status = 200
    return render(request, "web/response_form.html", {"form": form, "instance": instance, "noun": noun},
                  status=status)


def _existing(model, pk: int | None):
    """The row being edited (None for a new one), or 404."""
    if pk is None:
        return None
    instance = model.objects.filter(pk=pk).first()
    if instance is None:
        raise Http404(f"No such {model._meta.verbose_name}.")
    return instance


@requires(roles.MANAGE_RESPONSES)
def edit_canned(request, pk: int | None = None):
    return _edit(request, form_class=desk_forms.CannedResponseForm, instance=_existing(CannedResponse, pk),
                 create=actions.create_canned_response, update=actions.update_canned_response,
                 noun="canned response")


@requires(roles.MANAGE_RESPONSES)
def edit_macro(request, pk: int | None = None):
    instance = _existing(Macro, pk)
    return _edit(request, form_class=desk_forms.MacroForm, instance=instance, create=actions.create_macro,
                 update=actions.update_macro, noun="macro", form_kwargs={"macro": instance})


# --- groups and their members --------------------------------------------------------------------------------


def _groups_page(request, forms_by_group: dict | None = None, status: int = 200):
    groups = list(Group.objects.filter(active=True))
    members = queries.members_by_group(group.pk for group in groups)
    editable = request.user.can(roles.MANAGE_GROUPS)
    agents = list(desk_forms.agent_choices()) if editable else []
    rows = []
    for group in groups:
        form = (forms_by_group or {}).get(group.pk)
        if form is None and editable:
            form = desk_forms.GroupMembersForm(group=group, agents=agents,
                                               initial={"members": [agent.pk for agent in members[group.pk]]})
        rows.append({"group": group, "members": members[group.pk], "form": form,
                     "mine": any(agent.pk == request.user.pk for agent in members[group.pk])})
    return render(request, "web/groups.html", {"rows": rows, "editable": editable}, status=status)


@requires(roles.WORK_TICKETS)
def groups(request):
    return _groups_page(request)


@requires(roles.MANAGE_GROUPS)
@require_POST
def edit_group_members(request, pk: int):
    group = _existing(Group, pk)
    form = desk_forms.GroupMembersForm(request.POST, group=group, agents=desk_forms.agent_choices())
    if form.is_valid():
        try:
            actions.set_group_members(group, actor=Actor.of_agent(request.user), agents=form.cleaned_data["members"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"Saved the members of {group.name}.")
            return redirect("web:groups")
    return _groups_page(request, {group.pk: form}, status=422)
