"""Call recordings and voicemails stored by caredesk (SOP 003: kept for Resolution Specialists), and every
play or download of one. Written only by caredesk.recordings.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.tickets.models import Interaction, Ticket


class Recording(models.Model):
    class Provider(models.TextChoices):
        TWILIO = "twilio"
        CONSOLE = "console"

    class Status(models.TextChoices):
        DOWNLOADING = "downloading"  # announced by the provider; the worker fetches the audio
        STORED = "stored"
        FAILED = "failed"  # the provider never gave the audio within the attempts allowed
        DELETED = "deleted"  # past retention: the file is gone, the row stays

    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="recordings",
                               help_text="Empty until the call or voicemail it belongs to is known.")
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="recordings", help_text="The call or voicemail.")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_recording_id = models.CharField(max_length=64, unique=True)
    call_sid = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(max_length=500, blank=True, help_text="Where the worker downloads the audio.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DOWNLOADING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="recordings/", max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="recording_due_download"),
                   models.Index(fields=["recorded_at"], name="recording_recorded_at")]

    def __str__(self) -> str:
        return f"recording {self.provider_recording_id}"


class RecordingAccess(models.Model):
    """One play or download of a recording: who, which, when, and why (required past the open days)."""

    class Kind(models.TextChoices):
        PLAY = "play"
        DOWNLOAD = "download"

    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, related_name="accesses")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recording_accesses")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField(blank=True)
    accessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["recording", "agent", "kind", "accessed_at"], name="recording_access_recent")]
