"""The one door for recordings: a provider's recording announced (Twilio's signed status callback) and
downloaded by the worker, a console recording for the demo, a play or download checked against SOP 003's
rule and logged, and the audio deleted after the retention. Each change writes its audit event.

The download is outbox-like: the callback only records the row (status "downloading"); `download_due`, a
worker job, claims due rows with a lease, streams the audio to a temporary file while hashing it, and stores
it under a name made from the provider's recording id, so a repeat or a second worker changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import tempfile
import urllib.request
import uuid
import wave
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from caredesk.core.roles import WORK_TICKETS
from caredesk.recordings.models import Recording, RecordingAccess
from caredesk.tickets.actions import record_event
from caredesk.tickets.models import Interaction

CHUNK_BYTES = 64 * 1024
LEASE = timedelta(minutes=10)  # a claimed download not finished by then is claimed again
FIRST_RETRY = timedelta(minutes=1)  # doubles each attempt
DOWNLOAD_TIMEOUT_SECONDS = 60
ACCESS_SESSION = timedelta(minutes=15)  # the range requests of one play are one access
EXTENSIONS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mpeg": "mp3"}
SYSTEM = Actor.system("recordings")


def _interaction_for(recording_sid: str, call_sid: str) -> Interaction | None:
    """The voicemail (its external id is the RecordingSid) or else the call (its CallSid)."""
    ids = [value for value in (recording_sid, call_sid) if value]
    found = {row.external_id: row for row in Interaction.objects.select_related("ticket").filter(external_id__in=ids)}
    return next((found[value] for value in ids if value in found), None)


def receive_twilio_recording(*, recording_sid: str, call_sid: str, recording_url: str, status: str,
                             duration_seconds: int, recorded_at: datetime | None = None) -> Recording | None:
    """Twilio's recording status callback: a completed recording is queued for the worker to download, once
    by its RecordingSid. Other statuses (in-progress, failed, absent) leave nothing to fetch: None."""
    if not recording_sid:
        raise ValidationFailed("A recording needs the provider's recording id.", field="RecordingSid")
    if status and status != "completed":
        return None
    if not recording_url.startswith(("https://", "http://")):
        raise ValidationFailed("A completed recording needs its RecordingUrl.", field="RecordingUrl")
    if not source_allowed(recording_url):
        raise ValidationFailed("The RecordingUrl is not on a recording host caredesk downloads from "
                               "(CAREDESK_RECORDING_SOURCE_HOSTS).", field="RecordingUrl")
    existing = Recording.objects.filter(provider_recording_id=recording_sid).first()
    if existing is not None:
        return existing
    interaction = _interaction_for(recording_sid, call_sid)
    now = clock.now()
    try:
        with transaction.atomic():
            recording = Recording(
                provider=Recording.Provider.TWILIO, provider_recording_id=recording_sid, call_sid=call_sid,
                source_url=recording_url, duration_seconds=duration_seconds, recorded_at=recorded_at or now,
                created_at=now, next_attempt_at=now, interaction=interaction,
                ticket=interaction.ticket if interaction else None)
            recording.save()
    except IntegrityError:  # the same callback delivered twice at once
        return Recording.objects.get(provider_recording_id=recording_sid)
    return recording


def _wav(seconds: int) -> bytes:
    """A short 8 kHz tone, the console provider's stand-in for a call's audio."""
    rate = 8000
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * index / rate)))
                      for index in range(rate * seconds))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1), audio.setsampwidth(2), audio.setframerate(rate), audio.writeframes(frames)
    return buffer.getvalue()


def record_console_recording(interaction: Interaction, *, duration_seconds: int = 2,
                             recorded_at: datetime | None = None) -> Recording:
    """The console provider (demo and tests): a generated WAV stored at once for a call or voicemail."""
    now = clock.now()
    recording = Recording(
        provider=Recording.Provider.CONSOLE, provider_recording_id=f"console-{uuid.uuid4().hex}",
        interaction=interaction, ticket=interaction.ticket, duration_seconds=duration_seconds,
        recorded_at=recorded_at or now, created_at=now)
    wav = _wav(duration_seconds)
    audio = _save_audio(recording, ContentFile(wav), "audio/wav", hashlib.sha256(wav).hexdigest())

    def attach() -> bool:
        _mark_stored(recording, audio)
        return True

    _keep_if(audio, attach)
    return recording


@dataclass(frozen=True)
class Audio:
    """Audio written to storage, not yet on its recording's row."""

    name: str
    content_type: str
    size_bytes: int
    sha256: str


def _save_audio(recording: Recording, content: File, content_type: str, sha256: str) -> Audio:
    """Write the audio to storage under a name made from the provider's recording id (outside any transaction:
    a long copy holds no lock)."""
    extension = EXTENSIONS.get(content_type, "bin")
    name = default_storage.save(f"recordings/{recording.provider_recording_id}.{extension}", content)
    return Audio(name, content_type, content.size, sha256)


def _mark_stored(recording: Recording, audio: Audio) -> None:
    recording.file.name, recording.content_type = audio.name, audio.content_type
    recording.size_bytes, recording.sha256 = audio.size_bytes, audio.sha256
    recording.status, recording.next_attempt_at, recording.last_error = Recording.Status.STORED, None, ""
    recording.save()
    if recording.ticket_id:
        record_event(SYSTEM, recording.ticket, "recording.stored", field="recording",
                     after={"recording": recording.pk, "provider": recording.provider,
                            "duration_seconds": recording.duration_seconds, "size_bytes": recording.size_bytes,
                            "sha256": recording.sha256}, interaction=recording.interaction)


def _claim(batch_size: int) -> list[int]:
    now = clock.now()
    with transaction.atomic():
        due = list(Recording.objects.select_for_update(skip_locked=True)
                   .filter(status=Recording.Status.DOWNLOADING, next_attempt_at__lte=now)
                   .order_by("next_attempt_at")[:batch_size])
        for recording in due:
            recording.next_attempt_at = now + LEASE
            recording.save(update_fields=["next_attempt_at"])
    return [recording.pk for recording in due]


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def source_allowed(url: str) -> bool:
    """A recording's source is on CAREDESK_RECORDING_SOURCE_HOSTS, over HTTPS (HTTP only on the loopback)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in settings.RECORDING_SOURCE_HOSTS:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK)


def _fetch(url: str, into) -> tuple[str, str]:
    """Stream the provider's audio into a file (Twilio's with the account's credentials), hashing it as it
    comes; its content type and SHA-256. Only from the allowed recording hosts; the credentials go to that URL
    alone, not to where it redirects (Twilio's media redirects to signed storage URLs)."""
    if not source_allowed(url):
        raise ValueError(f"not a recording host caredesk downloads from: {urlsplit(url).hostname}")
    request = urllib.request.Request(url)
    if settings.TWILIO_ACCOUNT_SID:
        password_manager = urllib.request.HTTPPasswordMgrWithPriorAuth()  # sent at once, not after a 401
        password_manager.add_password(None, url, settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                                      is_authenticated=True)
        opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(password_manager))
    else:
        opener = urllib.request.build_opener()
    digest = hashlib.sha256()
    with opener.open(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
        while chunk := response.read(CHUNK_BYTES):
            into.write(chunk)
            digest.update(chunk)
        return response.headers.get_content_type(), digest.hexdigest()


def _download(recording_id: int) -> None:
    recording = Recording.objects.get(pk=recording_id)
    with tempfile.TemporaryFile() as download:
        try:
            content_type, sha256 = _fetch(recording.source_url, download)
        except (OSError, ValueError) as error:
            _failed_attempt(recording_id, str(error))
            return
        download.seek(0)
        audio = _save_audio(recording, File(download), content_type, sha256)
    _keep_if(audio, lambda: _attach(recording_id, audio))


def _keep_if(audio: Audio, attach) -> None:
    """Run `attach` (in a transaction): the stored audio is removed again unless it returns True, so there
    is no file without its row."""
    try:
        with transaction.atomic():
            kept = attach()
    except Exception:
        default_storage.delete(audio.name)
        raise
    if not kept:
        default_storage.delete(audio.name)


def _attach(recording_id: int, audio: Audio) -> bool:
    """The downloaded audio on its row; False if another worker (whose lease ran out) stored it first."""
    recording = Recording.objects.select_for_update().get(pk=recording_id)
    if recording.status != Recording.Status.DOWNLOADING:
        return False
    if recording.ticket_id is None:
        interaction = _interaction_for(recording.provider_recording_id, recording.call_sid)
        recording.interaction, recording.ticket = interaction, interaction.ticket if interaction else None
    _mark_stored(recording, audio)
    return True


@transaction.atomic
def _failed_attempt(recording_id: int, error: str) -> None:
    recording = Recording.objects.select_for_update().get(pk=recording_id)
    recording.attempts += 1
    recording.last_error = error[:2000]
    if recording.attempts >= settings.RECORDING_DOWNLOAD_ATTEMPTS:
        recording.status, recording.next_attempt_at = Recording.Status.FAILED, None
        if recording.ticket_id:
            record_event(SYSTEM, recording.ticket, "recording.download_failed", field="recording",
                         after={"recording": recording.pk, "provider": recording.provider,
                                "attempts": recording.attempts, "error": recording.last_error[:200]},
                         interaction=recording.interaction)
    else:
        recording.next_attempt_at = clock.now() + FIRST_RETRY * 2 ** (recording.attempts - 1)
    recording.save()


def download_due(batch_size: int = 20) -> int:
    """The worker's job: download every announced recording that is due; a failure is retried later."""
    claimed = _claim(batch_size)
    for recording_id in claimed:
        _download(recording_id)
    return len(claimed)


# --- playing -----------------------------------------------------------------------------------------


def needs_specialist(recording: Recording) -> bool:
    """Older than the open days: SOP 003 keeps it for Resolution Specialists only."""
    return clock.now() - recording.recorded_at > timedelta(days=settings.RECORDING_OPEN_DAYS)


def refusal(recording: Recording, agent) -> str | None:
    """Why `agent` may not play `recording` at all, or None (a reason may still be asked: `needs_specialist`)."""
    if not agent.can(WORK_TICKETS):
        return "Your role does not allow this (work tickets)."
    if needs_specialist(recording) and roles.RESOLUTION_SPECIALIST not in agent.role_names:
        return (f"This recording is older than {settings.RECORDING_OPEN_DAYS} days: it is for Resolution "
                "Specialists only.")
    return None


def open_recording(recording: Recording, *, agent, kind: str = RecordingAccess.Kind.PLAY, reason: str = "",
                   logged: bool = True) -> Recording:
    """Check that `agent` may play or download `recording` now and log the access (who, which, when, why):
    a recording past the open days needs a Resolution Specialist and a reason. The range requests of one play
    (same agent, kind and reason within a few minutes) are logged once; `logged=False` checks only."""
    problem = refusal(recording, agent)
    if problem:
        raise Forbidden(problem, field="recording")
    reason = reason.strip()[:2000]
    if needs_specialist(recording) and not reason:
        raise ValidationFailed(f"A recording older than {settings.RECORDING_OPEN_DAYS} days is played only with "
                               "a reason.", field="reason")
    if recording.status == Recording.Status.DELETED:
        raise NotFound("This recording was deleted at the end of its retention.", field="recording")
    if recording.status != Recording.Status.STORED:
        raise Conflict("This recording is not stored yet.", field="recording")
    if logged:
        _log_access(recording, agent, kind, reason)
    return recording


@transaction.atomic
def _log_access(recording: Recording, agent, kind: str, reason: str) -> None:
    now = clock.now()
    if RecordingAccess.objects.filter(recording=recording, agent=agent, kind=kind, reason=reason,
                                      accessed_at__gt=now - ACCESS_SESSION).exists():
        return
    RecordingAccess(recording=recording, agent=agent, kind=kind, reason=reason, accessed_at=now).save()
    record_event(Actor.of_agent(agent), recording.ticket, "recording.accessed", field="recording",
                 after={"recording": recording.pk, "kind": kind, "reason": reason}, interaction=recording.interaction)


# --- retention ---------------------------------------------------------------------------------------


def delete_expired(batch_size: int = 100) -> int:
    """The worker's job: the audio of recordings older than the retention is deleted; the row stays with
    deleted_at, and the ticket's timeline says so."""
    now = clock.now()
    cutoff = now - timedelta(days=settings.RECORDING_RETENTION_DAYS)
    with transaction.atomic():
        expired = list(Recording.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("ticket", "interaction")
                       .filter(recorded_at__lt=cutoff, deleted_at__isnull=True)[:batch_size])
        for recording in expired:
            name = recording.file.name
            recording.file, recording.status, recording.deleted_at = "", Recording.Status.DELETED, now
            recording.next_attempt_at = None
            recording.save()
            if name:
                transaction.on_commit(lambda name=name: default_storage.delete(name))
            if recording.ticket_id:
                record_event(SYSTEM, recording.ticket, "recording.deleted", field="recording",
                             after={"recording": recording.pk, "recorded_at": recording.recorded_at.date().isoformat(),
                                    "retention_days": settings.RECORDING_RETENTION_DAYS},
                             interaction=recording.interaction)
    return len(expired)

