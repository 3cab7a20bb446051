"""Every message in tests/fixtures/email meets the expectations in the JSON file beside it."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from caredesk.channels.email.automated import classify_automated
from caredesk.channels.email.parsing import parse_message
from caredesk.channels.email.tokens import find_ticket_reference

CORPUS = Path(__file__).parents[2] / "fixtures" / "email"
FIXTURE_SECRET = "fixture-secret"
MESSAGES = sorted(CORPUS.glob("*.eml"))


def test_the_corpus_is_complete():
    assert len(MESSAGES) >= 14
    assert all(message.with_suffix(".json").exists() for message in MESSAGES)


@pytest.mark.parametrize("path", MESSAGES, ids=[path.stem for path in MESSAGES])
def test_message_meets_its_expectations(path: Path):
    expected = json.loads(path.with_suffix(".json").read_text())
    parsed = parse_message(path.read_bytes(), max_attachment_bytes=10 * 1024 * 1024)

    for field in ("from_address", "from_name", "subject", "message_id", "in_reply_to", "message_id_generated"):
        if field in expected:
            assert getattr(parsed, field) == expected[field], field
    if "date" in expected:
        assert parsed.date == datetime.fromisoformat(expected["date"])
    for field in ("text_body", "reply_body", "html_body"):
        check_text(field, getattr(parsed, field), expected.get(field, {}))
    if "attachments" in expected:
        actual = [
            {key: getattr(attachment, key) for key in wanted}
            for attachment, wanted in zip(parsed.attachments, expected["attachments"], strict=False)
        ]
        assert actual == expected["attachments"]
        assert len(parsed.attachments) == len(expected["attachments"])
    if "automated" in expected:
        verdict = classify_automated(parsed)
        assert (verdict.kind if verdict else None) == expected["automated"], verdict
    if "ticket_reference" in expected:
        reference = find_ticket_reference(parsed, FIXTURE_SECRET)
        actual_reference = reference and {"ticket_number": reference.ticket_number, "confidence": reference.confidence}
        assert actual_reference == expected["ticket_reference"]
    if "has_defects" in expected:
        assert bool(parsed.defects) == expected["has_defects"], parsed.defects
    for fragment in expected.get("defects", {}).get("contains", []):
        assert any(fragment in defect for defect in parsed.defects), (fragment, parsed.defects)


def check_text(field: str, actual: str, expected: dict) -> None:
    if "equals" in expected:
        assert actual == expected["equals"], field
    for fragment in expected.get("contains", []):
        assert fragment in actual, (field, fragment, actual)
    for fragment in expected.get("excludes", []):
        assert fragment not in actual, (field, fragment, actual)
