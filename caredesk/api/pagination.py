"""Keyset (cursor) pagination: a cursor is the opaque position after the last row of a page."""

from __future__ import annotations

import base64
import json

from caredesk.core.errors import ValidationFailed

MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1  # a bigint; a larger number reaches no row and would overflow the database driver


def encode_cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("This cursor is not one this API gave out.", field="cursor") from None
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailed("This cursor is not one this API gave out.", field="cursor")
    return values


def page_by_id(queryset, *, cursor: str | None, limit: int, descending: bool = True) -> tuple[list, str | None]:
    """One page of `queryset` ordered by id; returns the rows and the next cursor (None at the end)."""
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        if not isinstance(last_id, int) or isinstance(last_id, bool) or not 1 <= last_id <= MAX_ID:
            raise ValidationFailed("This cursor is not one this API gave out.", field="cursor")
        queryset = queryset.filter(pk__lt=last_id) if descending else queryset.filter(pk__gt=last_id)
    rows = list(queryset.order_by("-pk" if descending else "pk")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor
