"""Turns request-level failures Django raises before a view runs into problem+json for the API."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig

from caredesk.core.problems import problem_response


class ProblemDetailsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and self._too_big(request):
            return problem_response(
                413, "Request body too large",
                f"The request body is larger than the {request.max_body_bytes} bytes this route accepts.",
            )
        return self.get_response(request)

    @staticmethod
    def _too_big(request) -> bool:
        from django.conf import settings

        length = request.META.get("CONTENT_LENGTH") or "0"
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if content_type.startswith("multipart/form-data"):
            limit = settings.ATTACHMENT_MAX_BYTES + 1024 * 1024
        request.max_body_bytes = limit
        try:
            return int(length) > limit
        except ValueError:
            return False

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig) and request.path.startswith("/api/"):
            return problem_response(413, "Request body too large", str(exception))
        return None
