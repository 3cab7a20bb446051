"""Escalation cases in the workspace (SOP 003): the case form opened from an escalated ticket, the case page
(fields, documents, assignment, timeline and the next steps), and the case queues with the voided report.

Every change goes through caredesk.cases.actions; a refusal shows its message beside the field it names."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caredesk.cases import actions, queries
from caredesk.cases.models import Case, PrimaryReason
from caredesk.core import events, roles
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.recordings.models import Recording
from caredesk.tickets.actions import NewAttachment
from caredesk.tickets.models import Attachment, TicketEvent
from caredesk.web.permissions import requires
from caredesk.web.queries import EVENT_STYLE
from caredesk.web.views.ticket import load_ticket

CHOICES = {"yes": True, "no": False}


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _uploads(request) -> list[NewAttachment]:
    return [NewAttachment(upload.name or "attachment", upload.content_type or "", upload.read())
            for upload in request.FILES.getlist("uploads")]


def _number(post, name: str) -> int | None:
    value = post.get(name, "")
    return int(value) if value.isdigit() else None


def _step_3_fields(post) -> dict:
    """SOP 003 step 3's fields as the form posts them (the recording only when one is chosen)."""
    fields = {"primary_reason": _number(post, "primary_reason"), "interaction": _number(post, "interaction"),
              **{name: post.get(name, "")[:100_000] for name in actions.REQUIRED_TEXT},
              **{name: CHOICES.get(post.get(name, "")) for name in actions.REQUIRED_ANSWERS}}
    if _number(post, "recording"):
        fields["recording"] = _number(post, "recording")
    return fields


def _sources(ticket) -> dict:
    """The form's choices of where the case comes from: the ticket's interactions and its kept recordings."""
    return {"interactions": ticket.interactions.exclude(kind="note").order_by("-occurred_at", "-id"),
            "recordings": Recording.objects.filter(ticket=ticket, interaction__isnull=False)
            .exclude(status=Recording.Status.DELETED).order_by("-recorded_at", "-id"),
            "reasons": PrimaryReason.objects.filter(active=True)}


def _new_case(request) -> actions.NewCase:
    post = request.POST
    return actions.NewCase(
        **_step_3_fields(post), resolution_lead=_number(post, "resolution_lead"),
        **{name: post.get(name, "")[:100_000] for name in ("documentation", "documentation_needed")},
        documents=_ids(post.getlist("documents")), uploads=_uploads(request),
    )


@requires(roles.WORK_TICKETS)
def new_case(request, pk: int):
    """The case form, from a ticket under escalation; the form keeps what was typed when a field is missing."""
    ticket = load_ticket(pk)
    problem = None
    if request.method == "POST":
        try:
            case = actions.open_case(ticket, agent=request.user, new=_new_case(request))
        except DomainError as error:
            problem = error
        else:
            messages.success(request, f"Case {case.pk} opened.")
            return redirect("web:case", case.pk)
    return render(request, "web/case_form.html", {
        "ticket": ticket, "problem": problem, "values": request.POST, "section": "cases", **_sources(ticket),
        "attachments": Attachment.objects.filter(ticket=ticket),
        "leads": Agent.objects.filter(is_active=True, groups__name=roles.RESOLUTION_LEAD).order_by("username"),
        "documentation": [choice for choice in actions.Documentation.choices
                          if choice[0] != actions.Documentation.RECEIVED],  # received is Back Office's step
    }, status=422 if problem else 200)


def _form_values(case: Case) -> dict:
    """The case's step 3 fields as the form shows them (strings, "yes"/"no")."""
    return {**{name: getattr(case, name) for name in actions.REQUIRED_TEXT},
            **{name: "yes" if getattr(case, name) else "no" for name in actions.REQUIRED_ANSWERS},
            **{name: str(getattr(case, f"{name}_id") or "") for name in ("primary_reason", "interaction",
                                                                         "recording")}}


@requires(roles.WORK_TICKETS)
def edit_case(request, case_id: int):
    """Edit an open case's step 3 fields with the rules of opening it; a refusal keeps what was typed."""
    case = queries.cases().filter(pk=case_id).first()
    if case is None:
        raise Http404(f"No case #{case_id}.")
    problem = None
    if request.method == "POST":
        try:
            actions.edit_case(case, agent=request.user, changes=_step_3_fields(request.POST))
        except DomainError as error:
            problem = error
        else:
            messages.success(request, f"Case {case.pk} saved.")
            return redirect("web:case", case.pk)
    return render(request, "web/case_edit.html", {
        "case": case, "problem": problem, "section": "cases", **_sources(case.ticket),
        "values": request.POST if request.method == "POST" else _form_values(case),
    }, status=422 if problem else 200)


def _timeline(case: Case) -> list:
    rows = [event for event in TicketEvent.objects.filter(ticket=case.ticket, action__startswith="case.")
            .order_by("at", "id") if (event.after or {}).get("case") == case.pk]
    return [(event, sentence.render(EVENT_STYLE)) for event, sentence in zip(rows, events.describe_all(rows))]


@requires(roles.WORK_TICKETS)
def case_page(request, case_id: int):
    case = queries.cases().prefetch_related("documents").filter(pk=case_id).first()
    if case is None:
        raise Http404(f"No case #{case_id}.")
    agent = request.user
    manages = agent.pk == case.owner_id or roles.RESOLUTION_LEAD in agent.role_names
    return render(request, "web/case.html", {
        "case": case, "timeline": _timeline(case), "section": "cases", "manages": manages,
        "edits": case.status != Case.Status.CLOSED and (manages or case.assignee_id == agent.pk),
        "answers": case.assignee_id == agent.pk and case.status == Case.Status.ASSIGNED,
        "receives": bool(agent.role_names & {roles.BACK_OFFICE, roles.RESOLUTION_LEAD}),
        "closing_reason": actions.closing_reason(case),
        "specialists": Agent.objects.filter(is_active=True, groups__name=roles.RESOLUTION_SPECIALIST)
        .order_by("username"),
        "ticket_attachments": Attachment.objects.filter(ticket=case.ticket).exclude(cases=case),
    })


STEPS = {
    "request": lambda case, agent, request: actions.request_documentation(
        case, agent=agent, needed=request.POST.get("needed", "")),
    "attach": lambda case, agent, request: actions.attach_documents(
        case, agent=agent, documents=_ids(request.POST.getlist("documents")), uploads=_uploads(request)),
    "received": lambda case, agent, request: actions.receive_documentation(
        case, agent=agent, documents=_ids(request.POST.getlist("documents")), uploads=_uploads(request)),
    "assign": lambda case, agent, request: actions.assign(case, agent=agent,
                                                          assignee=_number(request.POST, "assignee")),
    "accept": lambda case, agent, request: actions.accept(case, agent=agent),
    "reject": lambda case, agent, request: actions.reject(case, agent=agent, reason=request.POST.get("reason", "")),
    "return": lambda case, agent, request: actions.return_case(case, agent=agent,
                                                               reason=request.POST.get("reason", "")),
    "close": lambda case, agent, request: actions.close_case(
        case, agent=agent, closed_reason=request.POST.get("closed_reason", ""), note=request.POST.get("note", "")),
}


@requires(roles.WORK_TICKETS)
@require_POST
def case_step(request, case_id: int, step: str):
    case = Case.objects.filter(pk=case_id).first()
    if case is None or step not in STEPS:
        raise Http404("No such case or step.")
    try:
        STEPS[step](case, request.user, request)
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("web:case", case.pk)


@requires(roles.WORK_TICKETS)
def case_queues(request):
    """Back Office's documentation received, my offered cases, and a Resolution Lead's all, unassigned and
    voided cases with the count of voided cases by reason."""
    agent = request.user
    allowed = queries.queues_of(agent)
    name = request.GET.get("queue") or allowed[0]
    if name not in queries.QUEUES:
        raise Http404("No such queue.")
    if name not in allowed:
        raise PermissionDenied(f'The queue "{queries.QUEUES[name]}" is not for your role.')
    return render(request, "web/cases.html", {
        "queues": [(key, queries.QUEUES[key]) for key in allowed], "queue": name, "section": "cases",
        "rows": list(queries.queue(name, agent)[:200]),
        "voided": queries.voided_by_reason() if agent.can(roles.VIEW_REPORTS) else None,
    })
