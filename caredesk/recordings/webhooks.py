"""Twilio's recording status callback (recordingStatusCallback of a call or <Record>), signed like every
Twilio webhook. It only queues the recording: the worker downloads the audio (actions.download_due)."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from django.http import HttpResponse

from caredesk.channels.webhooks import twilio_webhook
from caredesk.recordings import actions


def _seconds(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def _started(value: str | None) -> datetime | None:
    """RecordingStartTime, an RFC 2822 date ("Tue, 07 Dec 2026 03:20:00 +0000"); None when absent or bad."""
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


@twilio_webhook
def recording_status(request, params):
    actions.receive_twilio_recording(
        recording_sid=params.get("RecordingSid", ""), call_sid=params.get("CallSid", ""),
        recording_url=params.get("RecordingUrl", ""), status=params.get("RecordingStatus", ""),
        duration_seconds=_seconds(params.get("RecordingDuration")),
        recorded_at=_started(params.get("RecordingStartTime")))
    return HttpResponse(status=204)
