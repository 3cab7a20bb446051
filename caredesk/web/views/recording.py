"""A recording in the workspace: its player (after the reason, past the open days) and its audio, streamed by
caredesk with ranges and logged as a play or download (caredesk.recordings.actions.open_recording)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from caredesk.core import roles
from caredesk.core.errors import DomainError, Forbidden
from caredesk.recordings import actions, streaming
from caredesk.recordings.models import Recording, RecordingAccess
from caredesk.web.permissions import requires
from caredesk.web.recordings import playable


def _recording(pk: int) -> Recording:
    return get_object_or_404(Recording.objects.select_related("ticket", "interaction"), pk=pk)


@requires(roles.WORK_TICKETS)
def recording_player(request, pk: int):
    """The player for one recording; past the open days, the reason form submits here and gets the player
    with its reason (checked now, logged when the audio is fetched)."""
    entry = playable(_recording(pk), request.user)
    reason, problem = request.GET.get("reason", "").strip(), ""
    if entry.needs_reason and "reason" in request.GET:
        if reason:
            entry.needs_reason = False
        else:
            problem = "Say why you open this recording."
    return render(request, "web/partials/recording.html", {"entry": entry, "reason": reason, "problem": problem})


@requires(roles.WORK_TICKETS)
def recording_content(request, pk: int):
    recording = _recording(pk)
    download = request.GET.get("download") == "1"
    kind = RecordingAccess.Kind.DOWNLOAD if download else RecordingAccess.Kind.PLAY
    try:
        actions.open_recording(recording, agent=request.user, kind=kind, reason=request.GET.get("reason", ""))
    except Forbidden as error:
        raise PermissionDenied(error.detail) from error
    except DomainError as error:
        return render(request, "web/403.html", {"reason": error.detail}, status=error.status)
    return streaming.stream(request, recording, download=download)
