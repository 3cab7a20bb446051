"""Every API error as RFC 9457 problem+json: the exception handlers, and the problems each operation declares
in the OpenAPI document."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import BODY_CONTENT_TYPES, OpenAPISchema
from ninja.parser import Parser

from caredesk.core.audit import AppendOnlyViolation
from caredesk.core.errors import DomainError
from caredesk.core.problems import PROBLEM_CONTENT_TYPE, problem_response

logger = logging.getLogger(__name__)
LOCATION_PREFIXES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_of(location: list) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in LOCATION_PREFIXES:  # where it came from: body, query, path, file...
        parts = parts[1:]
    if parts and parts[0] in {"payload", "filters"}:  # the view's parameter holding the schema
        parts = parts[1:]
    field = ""
    for part in parts:
        field += f"[{part}]" if part.isdigit() else (f".{part}" if field else part)
    return field or "body"


class ObjectParser(Parser):
    """JSON bodies must be objects: an array, a string or null is refused like malformed JSON."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [{"field": _field_of(error.get("loc", [])), "message": error.get("msg", "invalid")}
                  for error in exc.errors]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return problem_response(422, "Validation failed", f"{first['field']}: {first['message']}",
                                field=first["field"], errors=errors, type_slug="validation-failed")

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return problem_response(exc.status, exc.title, exc.detail, field=exc.field, type_slug=exc.type_slug)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        response = problem_response(401, "Not authenticated", "Send an API token as 'Authorization: Bearer <token>'.",
                                    type_slug="unauthenticated")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request, exc):
        return problem_response(400, "Bad request", f"The multipart body cannot be read: {exc}.", field="body",
                                type_slug="malformed-body")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return problem_response(400, "Bad request", "The request body must be a JSON object.", field="body",
                                    type_slug="malformed-body")
        return problem_response(exc.status_code, "Error", str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem_response(404, "Not found", "No such resource.", type_slug="not-found")

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return problem_response(404, "Not found", "No such resource.", type_slug="not-found")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem_response(413, "Request body too large", str(exc))

    @api.exception_handler(IntegrityError)
    def integrity_error(request, exc):
        """A uniqueness the action checked was taken by a concurrent request between its check and its write;
        the transaction rolled back, so nothing was written."""
        logger.info("constraint refused a write on %s %s: %s", request.method, request.path, exc)
        return problem_response(409, "Conflict", "A concurrent change took the same value first; nothing was "
                                "written. Read the current state and try again.", type_slug="conflict")

    @api.exception_handler(AppendOnlyViolation)
    def append_only(request, exc):
        return problem_response(405, "Method not allowed", str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem_response(500, "Internal error", "Something went wrong; it has been logged.")


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem: `type` names the kind of error, `field` the input at fault when there is one."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[FieldProblem] | None = None


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PROBLEM_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "No valid API token or session",
    403: "The agent's role does not allow this, or a session call failed the CSRF check",
    404: "No such resource",
    409: "The resource's state does not allow this, or a concurrent change came first",
    413: "Request body too large",
    422: "A field is invalid; `field` names it",
}


def problem_statuses(operation) -> set[int]:
    """The problems an operation can answer, from what it takes: authentication, path ids, query parameters,
    a body, and whether it changes anything."""
    statuses = set()
    if operation.auth_callbacks:
        statuses |= {401, 403}
    sources = {model.__ninja_param_source__ for model in operation.models}
    if "path" in sources:
        statuses |= {404, 422}
    if sources & {"query", "header", "cookie"}:
        statuses.add(422)
    if sources & set(BODY_CONTENT_TYPES):
        statuses |= {400, 413, 422}
    if UNSAFE_METHODS & set(operation.methods):
        statuses.add(409)
    return statuses


class ProblemsOpenAPISchema(OpenAPISchema):
    """ninja's OpenAPI document, with each operation's problem responses and the Problem schema."""

    def responses(self, operation):
        result = super().responses(operation)
        if not self.schemas.get("Problem"):
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            self.add_schema_definitions({**problem.pop("$defs", {}), "Problem": problem})
        for status in sorted(problem_statuses(operation)):
            result.setdefault(status, {
                "description": PROBLEM_DESCRIPTIONS[status],
                "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            })
        if 401 in result:
            result[401]["headers"] = {"WWW-Authenticate": {
                "description": "The scheme to authenticate with", "schema": {"type": "string", "const": "Bearer"}}}
        return result


class ProblemsNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ProblemsOpenAPISchema(self, path_prefix)
