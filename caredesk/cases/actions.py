"""The only writers of escalation cases (SOP 003), each with a TicketEvent on the case's ticket.

A case is opened from a ticket under escalation with what SOP 003 step 3 requires (`open_case`); its supporting
documentation is provided, requested from the homeowner by email (`request_documentation`: the case waits on
documentation until Back Office attaches the reply's documents, `receive_documentation`), or refused (the case
is assigned to a Resolution Lead). An assignment to a Resolution Specialist is accepted, rejected or returned
with a reason; a rejected or returned case is closed by its owner as "Case Voided" (`close_case`).
Event kinds: case.opened, case.documentation_requested, case.documentation_refused, case.documents_attached,
case.documentation_received, case.assigned, case.assignment_accepted, case.assignment_rejected,
case.assignment_returned, case.closed, case.edited (`edit_case`: the fields of step 3, with the same rules).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from caredesk.cases.defaults import DOCUMENTATION_REQUEST_TEMPLATE
from caredesk.cases.models import CASE_VOIDED, Case, PrimaryReason
from caredesk.channels.rendering import TemplateUnavailable, render_message_template
from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, Forbidden, ValidationFailed
from caredesk.core.models import Agent
from caredesk.escalations.models import Escalation
from caredesk.recordings.models import Recording
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Attachment, Channel, Interaction, Ticket

Documentation = Case.Documentation
# SOP 003 step 3's texts, in its order (the form's): the overview, then (after the interaction) the key points.
OVERVIEW = {
    "description": "a case description (a detailed overview of the call or interaction)",
    "installer_point_of_view": "the installer's or sales rep's point of view",
}
KEY_POINTS = {
    "concern_type": "what type of escalated concern it is",
    "red_flags": "the red flags seen when reviewing the concern",
    "other_concerns": "the other items that raised concern",
}
REQUIRED_TEXT = {**OVERVIEW, **KEY_POINTS}
REQUIRED_ANSWERS = {
    "welcome_call_voice_matches": "whether the voice in the welcome call matches the homeowner",
    "certificate_of_completion_reviewed": "whether the Certificate of Completion was reviewed",
}


@dataclass
class NewCase:
    """What SOP 003 step 3 asks for; `documentation` says what became of the homeowner's documentation."""

    primary_reason: int | None = None
    description: str = ""
    installer_point_of_view: str = ""
    interaction: int | None = None
    recording: int | None = None  # a recording of the ticket: its call or voicemail is then the interaction
    concern_type: str = ""
    red_flags: str = ""
    other_concerns: str = ""
    welcome_call_voice_matches: bool | None = None
    certificate_of_completion_reviewed: bool | None = None
    documentation: str = ""
    documents: list[int] = field(default_factory=list)  # attachments of the ticket
    uploads: list[ticket_actions.NewAttachment] = field(default_factory=list)  # new files for the ticket
    documentation_needed: str = ""  # what the documentation request asks for
    resolution_lead: int | None = None  # who takes the case when the homeowner refuses documentation


def _record(agent: Agent, case: Case, kind: str, description: str, **details) -> None:
    ticket_actions.record_event(Actor.of_agent(agent), case.ticket, f"case.{kind}", field="case",
                                after={"case": case.pk, "description": description, **details})


def _person(agent: Agent | None) -> dict | None:
    return None if agent is None else {"id": agent.pk, "name": agent.get_full_name() or agent.username}


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("ticket", "owner", "assignee").get(pk=case.pk)


def _save(case: Case) -> None:
    case.updated_at = clock.now()
    case.save()


def _agent_with_role(agent_id: int | None, role: str, field_name: str) -> Agent:
    agent = Agent.objects.filter(pk=agent_id, is_active=True).first() if agent_id else None
    if agent is None or role not in agent.role_names:
        raise ValidationFailed(f"Choose an active {role}.", field=field_name)
    return agent


def _ticket_attachments(ticket: Ticket, ids: Iterable[int], field_name: str) -> list[Attachment]:
    ids = sorted(set(ids))
    found = list(Attachment.objects.filter(ticket=ticket, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationFailed("Documents must be attachments of the case's ticket.", field=field_name)
    return found


def _require_texts(new: NewCase, texts: dict[str, str]) -> None:
    for name, what in texts.items():
        if not getattr(new, name).strip():
            raise ValidationFailed(f"A case needs {what}.", field=name)


def _source(new: NewCase, ticket: Ticket) -> tuple[Interaction, Recording | None]:
    """The call or interaction the case comes from, and its recording: the recording named (its call or
    voicemail is the interaction), else the interaction named with its latest recording kept by caredesk."""
    recording = None
    if new.recording:
        recording = Recording.objects.filter(pk=new.recording, ticket=ticket, interaction__isnull=False).first()
        if recording is None:
            raise ValidationFailed("The recording must be one of this ticket's calls or voicemails.", field="recording")
        if new.interaction and new.interaction != recording.interaction_id:
            raise ValidationFailed("The recording is of another interaction than the one linked.", field="recording")
    interaction_id = recording.interaction_id if recording else new.interaction
    interaction = Interaction.objects.filter(pk=interaction_id, ticket=ticket).first() if interaction_id else None
    if interaction is None:
        raise ValidationFailed("Link the recording or the interaction of this ticket the case comes from.",
                               field="interaction")
    if recording is None:
        recording = (Recording.objects.filter(interaction=interaction).exclude(status=Recording.Status.DELETED)
                     .order_by("-recorded_at", "-id").first())
    return interaction, recording


def _check_fields(new: NewCase, ticket: Ticket) -> tuple[PrimaryReason, Interaction, Recording | None]:
    """SOP 003 step 3's fields, in the form's order: the first one missing or wrong is named."""
    reason = PrimaryReason.objects.filter(pk=new.primary_reason, active=True).first() if new.primary_reason else None
    if reason is None:
        raise ValidationFailed("Choose the primary reason.", field="primary_reason")
    _require_texts(new, OVERVIEW)
    interaction, recording = _source(new, ticket)
    _require_texts(new, KEY_POINTS)
    for name, what in REQUIRED_ANSWERS.items():
        if getattr(new, name) is None:
            raise ValidationFailed(f"A case needs {what} (yes or no).", field=name)
    return reason, interaction, recording


def _check(new: NewCase, ticket: Ticket) -> tuple[PrimaryReason, Interaction, Recording | None]:
    reason, interaction, recording = _check_fields(new, ticket)
    if new.documentation not in Documentation.values or new.documentation == Documentation.RECEIVED:
        raise ValidationFailed("Say whether the homeowner's documentation is provided, to request, refused or "
                               "not needed.", field="documentation")
    if new.documentation == Documentation.PROVIDED and not (new.documents or new.uploads):
        raise ValidationFailed("Attach the documentation the homeowner provided.", field="documents")
    if new.documentation == Documentation.REQUESTED and not new.documentation_needed.strip():
        raise ValidationFailed("List the documentation the homeowner must send.", field="documentation_needed")
    return reason, interaction, recording


@transaction.atomic
def open_case(ticket: Ticket, *, agent: Agent, new: NewCase) -> Case:
    """Open a case from a ticket under escalation; refused, naming the field, without what SOP 003 requires."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("requester").get(pk=ticket.pk)
    escalation = Escalation.objects.filter(ticket=ticket).first()  # newest first
    if escalation is None:
        raise Conflict("A case is opened from a ticket under escalation: record the customer's request first.",
                       field="ticket")
    reason, interaction, recording = _check(new, ticket)
    lead = (_agent_with_role(new.resolution_lead, roles.RESOLUTION_LEAD, "resolution_lead")
            if new.documentation == Documentation.REFUSED else None)
    documents = _ticket_attachments(ticket, new.documents, "documents")
    documents += [ticket_actions.add_supporting_document(ticket, actor=Actor.of_agent(agent), attachment=upload)
                  for upload in new.uploads]
    now = clock.now()
    case = Case.objects.create(
        ticket=ticket, escalation=escalation, primary_reason=reason, interaction=interaction, recording=recording,
        description=new.description.strip(), installer_point_of_view=new.installer_point_of_view.strip(),
        concern_type=new.concern_type.strip(), red_flags=new.red_flags.strip(),
        other_concerns=new.other_concerns.strip(), welcome_call_voice_matches=new.welcome_call_voice_matches,
        certificate_of_completion_reviewed=new.certificate_of_completion_reviewed,
        documentation=new.documentation, owner=agent, created_at=now, updated_at=now,
    )
    case.documents.set(documents)
    _record(agent, case, "opened", f"opened case {case.pk}: {reason.name}", primary_reason=reason.name,
            documentation=case.documentation)
    if new.documentation == Documentation.REQUESTED:
        return _request(case, agent, new.documentation_needed)
    if lead is not None:
        case.status, case.assignee, case.assignment = Case.Status.ASSIGNED, lead, Case.Assignment.OFFERED
        _save(case)
        _record(agent, case, "documentation_refused", f"the homeowner refused to provide documentation; case "
                f"{case.pk} is assigned to the Resolution Lead {_person(lead)['name']}", assignee=_person(lead))
    return case


@transaction.atomic
def request_documentation(case: Case, *, agent: Agent, needed: str) -> Case:
    """Email the homeowner the documentation request (the template lists what is missing): the case waits."""
    case = _locked(case)
    if case.status != Case.Status.OPEN:
        raise Conflict(f"Documentation is requested on an open case, not one {case.get_status_display()}.",
                       field="case")
    if not needed.strip():
        raise ValidationFailed("List the documentation the homeowner must send.", field="needed")
    return _request(case, agent, needed)


def _request(case: Case, agent: Agent, needed: str) -> Case:
    needed = needed.strip()[:4000]
    try:
        _, body = render_message_template(DOCUMENTATION_REQUEST_TEMPLATE, "email", case.ticket, {"needed": needed})
    except TemplateUnavailable as error:
        raise Conflict(f"The documentation request cannot be written: {error}.", field="needed") from None
    email = ticket_actions.add_interaction(  # an agent's email: the outbox sends it on the ticket's thread
        case.ticket, actor=Actor.of_agent(agent), channel=Channel.EMAIL, direction=Interaction.Direction.OUTBOUND,
        kind=Interaction.Kind.MESSAGE, body=body, details={"case": case.pk, "template": DOCUMENTATION_REQUEST_TEMPLATE},
    )
    case.status, case.documentation = Case.Status.WAITING_ON_DOCUMENTATION, Documentation.REQUESTED
    case.documentation_needed, case.documentation_requested_at = needed, email.occurred_at
    _save(case)
    _record(agent, case, "documentation_requested", f"emailed the homeowner the documentation request of case "
            f"{case.pk}", needed=needed, interaction=email.pk)
    return case


def _attach(case: Case, agent: Agent, documents: Iterable[int], uploads: Iterable[ticket_actions.NewAttachment]
            ) -> list[Attachment]:
    attachments = _ticket_attachments(case.ticket, documents, "documents")
    attachments += [ticket_actions.add_supporting_document(case.ticket, actor=Actor.of_agent(agent), attachment=upload)
                    for upload in uploads]
    if attachments:
        case.documents.add(*attachments)
        _record(agent, case, "documents_attached", f"attached {len(attachments)} document(s) to case {case.pk}",
                documents=[attachment.filename for attachment in attachments])
    return attachments


@transaction.atomic
def attach_documents(case: Case, *, agent: Agent, documents: Iterable[int] = (),
                     uploads: Iterable[ticket_actions.NewAttachment] = ()) -> Case:
    """Attach supporting documentation: attachments of the ticket, or new files."""
    case = _locked(case)
    if case.status == Case.Status.CLOSED:
        raise Conflict("A closed case takes no more documents.", field="case")
    if not _attach(case, agent, documents, uploads):
        raise ValidationFailed("Choose the documents to attach.", field="documents")
    _save(case)
    return case


@transaction.atomic
def receive_documentation(case: Case, *, agent: Agent, documents: Iterable[int] = (),
                          uploads: Iterable[ticket_actions.NewAttachment] = ()) -> Case:
    """Back Office, having read the email thread, attaches the homeowner's documents and moves the case on."""
    case = _locked(case)
    if not agent.role_names & {roles.BACK_OFFICE, roles.RESOLUTION_LEAD}:
        raise Forbidden("Back Office Support receives a case's documentation.", field="case")
    if case.status != Case.Status.WAITING_ON_DOCUMENTATION:
        raise Conflict("This case is not waiting on documentation.", field="case")
    if not _attach(case, agent, documents, uploads):
        raise ValidationFailed("Attach the documents the homeowner sent.", field="documents")
    case.status, case.documentation = Case.Status.OPEN, Documentation.RECEIVED
    _save(case)
    _record(agent, case, "documentation_received", f"received the homeowner's documentation; case {case.pk} "
            "is open for assignment")
    return case


def _may_manage(case: Case, agent: Agent) -> None:
    if agent.pk != case.owner_id and roles.RESOLUTION_LEAD not in agent.role_names:
        raise Forbidden("Only the case owner or a Resolution Lead does this.", field="case")


@transaction.atomic
def assign(case: Case, *, agent: Agent, assignee: int | None) -> Case:
    """Offer the case to a Resolution Specialist (SOP 003 step 4, the Case Assignment)."""
    case = _locked(case)
    _may_manage(case, agent)
    if case.status != Case.Status.OPEN:
        raise Conflict(f"An open case is assigned, not one {case.get_status_display()}.", field="case")
    specialist = _agent_with_role(assignee, roles.RESOLUTION_SPECIALIST, "assignee")
    case.status, case.assignee, case.assignment, case.assignment_reason = (
        Case.Status.ASSIGNED, specialist, Case.Assignment.OFFERED, "")
    _save(case)
    _record(agent, case, "assigned", f"assigned case {case.pk} to {_person(specialist)['name']}",
            assignee=_person(specialist))
    return case


def _answer(case: Case, agent: Agent, outcome: str, expected: str, reason: str) -> Case:
    case = _locked(case)
    if case.assignee_id != agent.pk or case.status != Case.Status.ASSIGNED:
        raise Forbidden("Only the agent the case is assigned to answers the assignment.", field="case")
    if case.assignment != expected:
        raise Conflict(f"The assignment is {case.get_assignment_display()}.", field="case")
    reason = reason.strip()[:2000]
    if outcome != Case.Assignment.ACCEPTED and not reason:
        raise ValidationFailed(f"Give the reason the assignment is {outcome}.", field="reason")
    case.assignment, case.assignment_reason = outcome, reason
    if outcome != Case.Assignment.ACCEPTED:
        case.status = Case.Status.OPEN  # the owner now closes it as "Case Voided"
    _save(case)
    details = {"reason": reason} if outcome != Case.Assignment.ACCEPTED else {}
    _record(agent, case, f"assignment_{outcome}", f"{outcome} the assignment of case {case.pk}"
            + (f": {reason}" if reason else ""), assignee=_person(agent), **details)
    return case


@transaction.atomic
def accept(case: Case, *, agent: Agent) -> Case:
    return _answer(case, agent, Case.Assignment.ACCEPTED, Case.Assignment.OFFERED, "")


@transaction.atomic
def reject(case: Case, *, agent: Agent, reason: str) -> Case:
    return _answer(case, agent, Case.Assignment.REJECTED, Case.Assignment.OFFERED, reason)


@transaction.atomic
def return_case(case: Case, *, agent: Agent, reason: str) -> Case:
    """The specialist who accepted gives the case back, with a reason."""
    return _answer(case, agent, Case.Assignment.RETURNED, Case.Assignment.ACCEPTED, reason)


EDITABLE = ("primary_reason", "description", "installer_point_of_view", "interaction", "recording", "concern_type",
            "red_flags", "other_concerns", "welcome_call_voice_matches", "certificate_of_completion_reviewed")


def _editable_values(case: Case) -> dict:
    return {"primary_reason": case.primary_reason_id, "interaction": case.interaction_id,
            "recording": case.recording_id, **{name: getattr(case, name) for name in EDITABLE
                                               if name not in ("primary_reason", "interaction", "recording")}}


@transaction.atomic
def edit_case(case: Case, *, agent: Agent, changes: dict) -> Case:
    """Change SOP 003 step 3's fields of an open case, with the rules of opening it (every required field, the
    recording or interaction of the ticket): the owner, the assignee or a Resolution Lead. `changes` names
    only what changes; the audit event lists each field's before and after."""
    case = _locked(case)
    if agent.pk not in (case.owner_id, case.assignee_id) and roles.RESOLUTION_LEAD not in agent.role_names:
        raise Forbidden("Only the case owner, its assignee or a Resolution Lead edits a case.", field="case")
    if case.status == Case.Status.CLOSED:
        raise Conflict("A closed case is not edited.", field="case")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(f"{unknown[0]} is not a field of the case that can be edited.", field=unknown[0])
    before = _editable_values(case)
    wanted = {**before, **changes}
    if "interaction" in changes and "recording" not in changes:
        wanted["recording"] = None  # another interaction: its own recording, found by _source
    if "recording" in changes and "interaction" not in changes and changes["recording"]:
        wanted["interaction"] = None  # another recording: its call or voicemail
    for name in (*OVERVIEW, *KEY_POINTS):
        wanted[name] = (wanted[name] or "").strip()
    reason, interaction, recording = _check_fields(NewCase(**wanted), case.ticket)
    wanted["recording"] = recording.pk if recording else None
    changed = {name: (before[name], wanted[name]) for name in EDITABLE if before[name] != wanted[name]}
    if not changed:
        return case
    for name in EDITABLE:
        if name not in ("primary_reason", "interaction", "recording"):
            setattr(case, name, wanted[name])
    case.primary_reason, case.interaction, case.recording = reason, interaction, recording
    _save(case)
    names = ", ".join(name.replace("_", " ") for name in changed)
    _record(agent, case, "edited", f"edited case {case.pk}: {names}",
            changes={name: {"before": old, "after": new} for name, (old, new) in changed.items()})
    return case


def closing_reason(case: Case) -> str:
    """The closed reason the close form starts with: "Case Voided" after a rejected or returned assignment."""
    return CASE_VOIDED if case.voidable else Case.ClosedReason.RESOLVED


@transaction.atomic
def close_case(case: Case, *, agent: Agent, closed_reason: str, note: str = "") -> Case:
    """Close the case with its closed reason. After a rejected or returned assignment the owner closes it as
    "Case Voided" (SOP 003), and only so; "Case Voided" means exactly that."""
    case = _locked(case)
    _may_manage(case, agent)
    if case.status == Case.Status.CLOSED:
        raise Conflict("This case is already closed.", field="case")
    expected = closing_reason(case)
    if closed_reason != expected:
        raise ValidationFailed(f'This case closes with the closed reason "{expected}".', field="closed_reason")
    now = clock.now()
    case.status, case.closed_reason, case.closed_at = Case.Status.CLOSED, closed_reason, now
    _save(case)
    note = note.strip()[:2000]
    _record(agent, case, "closed", f'closed case {case.pk}: "{closed_reason}"' + (f" ({note})" if note else ""),
            closed_reason=closed_reason, reason=note)
    return case
