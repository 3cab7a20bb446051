"""Every workspace page shows times in the signed-in agent's time zone (their setting, else the team's):
Django's `date` filter, the workspace's `local_time` and `ago`, and the timeline's sentences all read the zone
activated here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone

from caredesk.live.queries import team_time_zone, time_zone_of

# The API answers in UTC (ISO 8601 with its offset); the poll and static files show no time.
UNZONED_PREFIXES = ("/api/", "/static/", "/live/")


class AgentTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(UNZONED_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        zone = time_zone_of(user) if user is not None and user.is_authenticated else team_time_zone()
        timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
