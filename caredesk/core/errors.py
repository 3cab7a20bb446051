"""Domain errors. Actions raise them; the API turns them into RFC 9457 problem+json, forms show them."""

from __future__ import annotations


class DomainError(Exception):
    """A request that the rules refuse. `field` names the input at fault, when there is one."""

    status = 400
    title = "Invalid request"
    type_slug = "invalid-request"

    def __init__(self, detail: str, *, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"
    type_slug = "validation-failed"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(DomainError):
    """The request is valid but the object's state does not allow it (e.g. a closed ticket)."""

    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"
