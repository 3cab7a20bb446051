"""What a browser asks of every site: `/favicon.ico` (pages also link the same icon from the static files)."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parents[1] / "static" / "caredesk" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
