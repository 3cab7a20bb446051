"""The real-world-shaped corpus (tests/fixtures/email/real_world, written by its generate.py) reads right."""

import json
from pathlib import Path

import pytest

from caredesk.channels.email.automated import classify_automated
from caredesk.channels.email.parsing import parse_message
from tests.unit.channels.test_email_corpus import check_text

CORPUS = Path(__file__).parents[2] / "fixtures" / "email" / "real_world"
MESSAGES = sorted(CORPUS.glob("*.eml"))


def test_the_corpus_has_at_least_a_hundred_messages():
    assert len(MESSAGES) >= 100
    assert all(message.with_suffix(".json").exists() for message in MESSAGES)


@pytest.mark.parametrize("path", MESSAGES, ids=[path.stem for path in MESSAGES])
def test_real_world_message(path: Path):
    expected = json.loads(path.with_suffix(".json").read_text())
    parsed = parse_message(path.read_bytes(), max_attachment_bytes=10 * 1024 * 1024)
    for field in ("from_address", "from_name", "subject"):
        if field in expected:
            assert getattr(parsed, field) == expected[field], field
    if "reply_starts" in expected:
        assert parsed.reply_body.startswith(expected["reply_starts"]), parsed.reply_body[:300]
    check_text("reply_body", parsed.reply_body, expected.get("reply_body", {}))
    assert [attachment.filename for attachment in parsed.attachments] == [
        attachment["filename"] for attachment in expected["attachments"]
    ]
    verdict = classify_automated(parsed)
    assert (verdict.kind if verdict else None) == expected["automated"], verdict
    assert not any("\ufffd" in text for text in (parsed.subject, parsed.from_name, parsed.reply_body))
