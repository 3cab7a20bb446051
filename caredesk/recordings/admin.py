from django.contrib import admin

from caredesk.core.admin import ReadOnlyAdmin
from caredesk.recordings.models import Recording, RecordingAccess


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    """Recordings change only through caredesk.recordings.actions; the admin shows them (not their audio)."""

    list_display = ("id", "ticket", "provider", "provider_recording_id", "status", "duration_seconds", "recorded_at",
                    "deleted_at")
    list_filter = ("status", "provider")
    search_fields = ("provider_recording_id", "call_sid", "ticket__id")
    exclude = ("file",)


@admin.register(RecordingAccess)
class RecordingAccessAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "agent", "recording", "kind", "reason")
    list_filter = ("kind",)
    search_fields = ("agent__username", "reason")
