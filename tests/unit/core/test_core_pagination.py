"""Cursor encoding and decoding, including cursors a client forged."""

from __future__ import annotations

import base64
import json

import pytest

from caredesk.api.pagination import decode_cursor, encode_cursor
from caredesk.core.errors import ValidationFailed


@pytest.mark.parametrize("values", [(1,), (2**63 - 1,), ("2026-03-02T14:00:00+00:00", 42), ()])
def test_round_trip(values):
    cursor = encode_cursor(*values)
    assert "=" not in cursor
    assert decode_cursor(cursor, len(values)) == list(values)


def test_cursor_is_url_safe():
    cursor = encode_cursor("??>>", 10**12)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = [
    "",
    "!!!",
    "not base64 at all",
    "%%%%",
    "a",
    _b64(b"not json"),
    _b64(b"\xff\xfe\x00"),
    _b64(json.dumps({"id": 1}).encode()),
    _b64(json.dumps(1).encode()),
    _b64(json.dumps([1, 2]).encode()),
    _b64(json.dumps([]).encode()),
    "\x00",
    "é",
]


@pytest.mark.parametrize("cursor", FORGED)
def test_forged_cursor_is_refused_on_the_cursor_field(cursor):
    with pytest.raises(ValidationFailed, match="not one this API gave out") as caught:
        decode_cursor(cursor, 1)
    assert caught.value.field == "cursor"
    assert caught.value.status == 422
