"""Request-level middleware: problem+json for failures Django raises before an API view runs, and the
Content-Security-Policy header."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from caredesk.core.problems import problem_response

PLAIN_ERRORS = {
    404: ("Not found", "No such API route."),
    405: ("Method not allowed", "This route does not accept this method."),
}


class ProblemDetailsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            limit = self._body_limit(request)
            if self._declared_length(request) > limit:
                return problem_response(
                    413, "Request body too large",
                    f"The request body is larger than the {limit} bytes this route accepts.",
                )
        response = self.get_response(request)
        if request.path.startswith("/api/") and response.status_code in PLAIN_ERRORS and not response.get(
            "Content-Type", ""
        ).startswith(("application/problem+json", "application/json")):
            # Django and ninja answer an unknown route or a wrong method with a plain page; the API never does.
            title, detail = PLAIN_ERRORS[response.status_code]
            if response.has_header("Allow"):
                detail += f" Allowed: {response['Allow']}."
            problem = problem_response(response.status_code, title, detail)
            if response.has_header("Allow"):
                problem["Allow"] = response["Allow"]
            return problem
        return response

    @staticmethod
    def _body_limit(request) -> int:
        """JSON bodies are capped by DATA_UPLOAD_MAX_MEMORY_SIZE; an upload by the attachment limit plus room."""
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            return settings.ATTACHMENT_MAX_BYTES + 1024 * 1024
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    @staticmethod
    def _declared_length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig) and request.path.startswith("/api/"):
            return problem_response(413, "Request body too large", str(exception))
        return None


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response that does not set its own (Django 5.2 has no
    built-in one). The workspace loads only its vendored files, so the policy allows no inline code at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
