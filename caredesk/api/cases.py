"""Escalation cases (SOP 003): opened from a ticket under escalation, the documentation request and Back Office,
the assignment to a Resolution Specialist, "Case Voided", the queues and the report of voided cases.

Documents are attachments of the case's ticket: upload a file with `POST /tickets/{id}/attachments`, then name
its id in `documents`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, LongText
from caredesk.cases import actions, queries
from caredesk.cases.models import Case, PrimaryReason
from caredesk.core.errors import Forbidden
from caredesk.core.roles import VIEW_REPORTS, WORK_TICKETS
from caredesk.tickets.models import Ticket

router = Router(tags=["cases"])


class PersonOut(Schema):
    id: int
    name: str


class DocumentOut(Schema):
    id: int
    filename: str
    size: int


class CaseOut(Schema):
    id: int
    ticket_id: int
    escalation_id: int | None
    status: Literal["open", "waiting_on_documentation", "assigned", "closed"]
    closed_reason: str
    primary_reason: str
    description: str
    installer_point_of_view: str
    interaction_id: int
    recording_id: int | None = Field(description="The recording of that call or voicemail (GET "
                                                 "/recordings/{id}/audio), when caredesk holds one.")
    concern_type: str
    red_flags: str
    other_concerns: str
    welcome_call_voice_matches: bool
    certificate_of_completion_reviewed: bool
    documentation: Literal["provided", "requested", "received", "refused", "not_needed"]
    documentation_needed: str
    documentation_requested_at: datetime | None
    documents: list[DocumentOut]
    owner: PersonOut
    assignee: PersonOut | None
    assignment: Literal["", "offered", "accepted", "rejected", "returned"]
    assignment_reason: str
    closing_reason: str | None = Field(description='The closed reason a close must give now ("Case Voided" after '
                                                   "a rejected or returned assignment); null once closed.")
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_primary_reason(case: Case) -> str:
        return case.primary_reason.name

    @staticmethod
    def resolve_documents(case: Case) -> list:
        return list(case.documents.all())

    @staticmethod
    def resolve_owner(case: Case) -> dict:
        return _person(case.owner)

    @staticmethod
    def resolve_assignee(case: Case) -> dict | None:
        return _person(case.assignee) if case.assignee else None

    @staticmethod
    def resolve_closing_reason(case: Case) -> str | None:
        return None if case.status == Case.Status.CLOSED else actions.closing_reason(case)


class CaseIn(InputSchema):
    primary_reason: Id | None = Field(None, description="A primary reason's id: GET /case-reasons.")
    description: LongText = ""
    installer_point_of_view: LongText = ""
    interaction: Id | None = Field(None, description="The ticket's call or interaction (recording) the case "
                                                     "comes from.")
    recording: Id | None = Field(None, description="A recording of the ticket: its call or voicemail is the "
                                                   "interaction. Without it, the interaction's recording is linked.")
    concern_type: LongText = ""
    red_flags: LongText = ""
    other_concerns: LongText = ""
    welcome_call_voice_matches: bool | None = None
    certificate_of_completion_reviewed: bool | None = None
    documentation: Literal["provided", "requested", "refused", "not_needed", ""] = ""
    documents: list[Id] = Field([], max_length=100, description="Attachments of the ticket.")
    documentation_needed: LongText = Field("", description="What the documentation request asks the homeowner "
                                                           "for (documentation \"requested\").")
    resolution_lead: Id | None = Field(None, description="The Resolution Lead who takes the case when the "
                                                         "homeowner refuses documentation.")


class CaseEditIn(InputSchema):
    """The fields of SOP 003 step 3 to change; those left out stay. The rules of opening a case apply."""

    primary_reason: Id | None = None
    description: LongText | None = None
    installer_point_of_view: LongText | None = None
    interaction: Id | None = None
    recording: Id | None = None
    concern_type: LongText | None = None
    red_flags: LongText | None = None
    other_concerns: LongText | None = None
    welcome_call_voice_matches: bool | None = None
    certificate_of_completion_reviewed: bool | None = None


class NeededIn(InputSchema):
    needed: LongText


class DocumentsIn(InputSchema):
    documents: list[Id] = Field(..., max_length=100)


class AssignIn(InputSchema):
    assignee: Id


class ReasonIn(InputSchema):
    reason: LongText = ""


class CloseIn(InputSchema):
    closed_reason: Literal["Resolved", "Case Voided"]
    note: LongText = ""


class ReasonOut(Schema):
    id: int
    key: str
    name: str


class VoidedOut(Schema):
    outcome: str
    reason: str
    count: int


def _person(agent) -> dict:
    return {"id": agent.pk, "name": agent.get_full_name() or agent.username}


def _out(case: Case) -> Case:
    return lookups.get_or_404(queries.cases().prefetch_related("documents"), case.pk)


def _case(case_id: int) -> Case:
    return lookups.get_or_404(queries.cases(), case_id)


@router.get("/case-reasons", response=list[ReasonOut])
def case_reasons(request):
    """SOP 003's primary reasons, the list the team edits."""
    require(request, WORK_TICKETS)
    return list(PrimaryReason.objects.filter(active=True))


@router.get("/tickets/{ticket_id}/cases", response=list[CaseOut])
def ticket_cases(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return list(queries.cases().prefetch_related("documents").filter(ticket=ticket))


@router.post("/tickets/{ticket_id}/cases", response={201: CaseOut})
def open_case(request, ticket_id: Id, payload: CaseIn):
    """Open a case from a ticket under escalation. Each field SOP 003 step 3 requires is checked: a 422 names
    the first one missing. Documentation "requested" emails the homeowner the request and the case waits on
    documentation; "refused" assigns the case to `resolution_lead`."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    case = actions.open_case(ticket, agent=agent, new=actions.NewCase(**payload.dict()))
    return Status(201, _out(case))


@router.get("/cases", response=list[CaseOut])
def case_queue(request, queue: Literal["documentation_received", "offered_to_me", "all", "unassigned",
                                        "voided"] = "offered_to_me"):
    """A queue: Back Office's documentation received, the caller's offered cases, or a Resolution Lead's all,
    unassigned and voided cases (403 for another role)."""
    agent = require(request, WORK_TICKETS)
    if queue not in queries.queues_of(agent):
        raise Forbidden(f'The queue "{queries.QUEUES[queue]}" is not for your role.', field="queue")
    return list(queries.queue(queue, agent).prefetch_related("documents")[:200])


@router.get("/cases/voided-report", response=list[VoidedOut])
def voided_report(request):
    """How many cases were closed as "Case Voided", by the assignment's outcome and reason."""
    require(request, VIEW_REPORTS)
    return queries.voided_by_reason()


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: Id):
    require(request, WORK_TICKETS)
    return _out(_case(case_id))


@router.patch("/cases/{case_id}", response=CaseOut)
def edit_case(request, case_id: Id, payload: CaseEditIn):
    """Edit an open case's fields (the owner, the assignee or a Resolution Lead): each change is audited
    (`case.edited`, before and after), and a 422 names a required field left empty."""
    agent = require(request, WORK_TICKETS)
    changes = payload.dict(exclude_unset=True)
    return _out(actions.edit_case(_case(case_id), agent=agent, changes=changes))


@router.post("/cases/{case_id}/documentation-request", response=CaseOut)
def request_documentation(request, case_id: Id, payload: NeededIn):
    """Email the homeowner what documentation is missing; the case waits on documentation."""
    agent = require(request, WORK_TICKETS)
    return _out(actions.request_documentation(_case(case_id), agent=agent, needed=payload.needed))


@router.post("/cases/{case_id}/documents", response=CaseOut)
def attach_documents(request, case_id: Id, payload: DocumentsIn):
    agent = require(request, WORK_TICKETS)
    return _out(actions.attach_documents(_case(case_id), agent=agent, documents=payload.documents))


@router.post("/cases/{case_id}/documentation-received", response=CaseOut)
def receive_documentation(request, case_id: Id, payload: DocumentsIn):
    """Back Office attaches the homeowner's documents from the email thread and moves the case on."""
    agent = require(request, WORK_TICKETS)
    return _out(actions.receive_documentation(_case(case_id), agent=agent, documents=payload.documents))


@router.post("/cases/{case_id}/assign", response=CaseOut)
def assign_case(request, case_id: Id, payload: AssignIn):
    agent = require(request, WORK_TICKETS)
    return _out(actions.assign(_case(case_id), agent=agent, assignee=payload.assignee))


@router.post("/cases/{case_id}/accept", response=CaseOut)
def accept_case(request, case_id: Id):
    agent = require(request, WORK_TICKETS)
    return _out(actions.accept(_case(case_id), agent=agent))


@router.post("/cases/{case_id}/reject", response=CaseOut)
def reject_case(request, case_id: Id, payload: ReasonIn):
    agent = require(request, WORK_TICKETS)
    return _out(actions.reject(_case(case_id), agent=agent, reason=payload.reason))


@router.post("/cases/{case_id}/return", response=CaseOut)
def return_case(request, case_id: Id, payload: ReasonIn):
    agent = require(request, WORK_TICKETS)
    return _out(actions.return_case(_case(case_id), agent=agent, reason=payload.reason))


@router.post("/cases/{case_id}/close", response=CaseOut)
def close_case(request, case_id: Id, payload: CloseIn):
    """Close with the closed reason: "Case Voided" after a rejected or returned assignment, else "Resolved"."""
    agent = require(request, WORK_TICKETS)
    return _out(actions.close_case(_case(case_id), agent=agent, closed_reason=payload.closed_reason,
                                   note=payload.note))
