"""Sent when a calendar is edited in the admin, for the apps that count with it (the SLA clocks)."""

from django.dispatch import Signal

# sender=BusinessCalendar, calendar=BusinessCalendar
calendar_saved = Signal()
