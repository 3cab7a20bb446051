"""RFC 9457 problem+json responses."""

from __future__ import annotations

import json

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_response(
    status: int, title: str, detail: str, *, field: str | None = None, errors: list[dict] | None = None,
    type_slug: str | None = None,
) -> HttpResponse:
    body: dict = {
        "type": f"urn:caredesk:problem:{type_slug or title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
