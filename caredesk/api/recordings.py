"""Call recordings and voicemails (SOP 003): a ticket's recordings, one streamed through caredesk (HTTP range
requests; never a redirect to the provider), and, for Admins, who played or downloaded them and why."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.pagination import page_by_id
from caredesk.api.types import Id, PageSize, ShortText
from caredesk.core.roles import AUDIT_RECORDINGS, WORK_TICKETS
from caredesk.recordings import actions, streaming
from caredesk.recordings.models import Recording, RecordingAccess
from caredesk.tickets.models import Ticket

router = Router(tags=["recordings"])


class RecordingOut(Schema):
    id: int
    ticket_id: int | None
    interaction_id: int | None
    provider: Literal["twilio", "console"]
    provider_recording_id: str
    status: Literal["downloading", "stored", "failed", "deleted"]
    duration_seconds: int
    content_type: str
    size_bytes: int | None
    sha256: str
    recorded_at: datetime
    deleted_at: datetime | None
    needs_reason: bool = Field(description="Older than CAREDESK_RECORDING_OPEN_DAYS: Resolution Specialists only, "
                                           "with a reason.")
    content_url: str


def _out(recording: Recording) -> dict:
    return {**{name: getattr(recording, name) for name in RecordingOut.model_fields
               if name not in {"needs_reason", "content_url"}},
            "needs_reason": actions.needs_specialist(recording),
            "content_url": f"/api/v1/recordings/{recording.pk}/content"}


@router.get("/tickets/{ticket_id}/recordings", response=list[RecordingOut])
def ticket_recordings(request, ticket_id: Id):
    """The ticket's call recordings and voicemails, oldest first (deleted ones keep their row)."""
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return [_out(recording) for recording in Recording.objects.filter(ticket=ticket)]


class ContentQuery(Schema):
    reason: ShortText = Field("", description="Why: required past CAREDESK_RECORDING_OPEN_DAYS (Resolution "
                                              "Specialists only).")
    download: bool = Field(False, description="As an attachment, logged as a download rather than a play.")


@router.get("/recordings/{recording_id}/content", response={200: None, 206: None},
            openapi_extra={"responses": {200: {"description": "The audio.",
                                               "content": {"audio/*": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}},
                                         206: {"description": "The byte range asked for in a Range header."}}})
def recording_content(request, recording_id: Id, query: Query[ContentQuery]):
    """The audio, streamed, with Range support (206 and Content-Range). Any agent working tickets plays a
    recording up to CAREDESK_RECORDING_OPEN_DAYS old; older: Resolution Specialists only, with a `reason`.
    Every play and download is logged with its reason."""
    agent = require(request, WORK_TICKETS)
    recording = lookups.get_or_404(Recording.objects.select_related("ticket", "interaction"), recording_id)
    kind = RecordingAccess.Kind.DOWNLOAD if query.download else RecordingAccess.Kind.PLAY
    actions.open_recording(recording, agent=agent, kind=kind, reason=query.reason)
    return streaming.stream(request, recording, download=query.download)


class AccessOut(Schema):
    id: int
    recording_id: int
    ticket_id: int | None
    agent: str
    kind: Literal["play", "download"]
    reason: str
    accessed_at: datetime


class AccessPage(Schema):
    items: list[AccessOut]
    next_cursor: str | None


class AccessFilters(Schema):
    recording_id: Id | None = None
    agent: ShortText | None = Field(None, description="An agent's username.")
    cursor: str | None = None
    limit: PageSize = 50


@router.get("/recording-accesses", response=AccessPage)
def recording_accesses(request, filters: Query[AccessFilters]):
    """Every play and download of a recording (who, which, when, why), newest first. Admins only."""
    require(request, AUDIT_RECORDINGS)
    queryset = RecordingAccess.objects.select_related("agent", "recording")
    if filters.recording_id is not None:
        queryset = queryset.filter(recording_id=filters.recording_id)
    if filters.agent:
        queryset = queryset.filter(agent__username=filters.agent)
    rows, next_cursor = page_by_id(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [{"id": row.pk, "recording_id": row.recording_id, "ticket_id": row.recording.ticket_id,
                       "agent": row.agent.username, "kind": row.kind, "reason": row.reason,
                       "accessed_at": row.accessed_at} for row in rows],
            "next_cursor": next_cursor}
