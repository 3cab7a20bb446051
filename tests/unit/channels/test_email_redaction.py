"""A text redacted from a message as received is gone from what parsing reads of it, the rest is as it was:
over the hand-made and the real-world-shaped corpora (every mail program, language and charset there)."""

import re
from pathlib import Path

import pytest

from caredesk.channels.email.parsing import parse_message
from caredesk.channels.email.redaction import redact
from tests.fixtures import hostile_mail

FIXTURES = Path(__file__).parents[2] / "fixtures" / "email"
MESSAGES = sorted([*FIXTURES.glob("*.eml"), *(FIXTURES / "real_world").glob("*.eml")])


def parsed(raw: bytes):
    return parse_message(raw, max_attachment_bytes=10 * 1024 * 1024)


def longest_word(text: str) -> str | None:
    words = [word for word in re.findall(r"[^\W\d_]{4,}", text) if word.lower() != "redacted"]  # runs of letters
    return max(words, key=len) if words else None


@pytest.mark.parametrize("path", MESSAGES, ids=[path.stem for path in MESSAGES])
def test_a_redacted_word_is_gone_and_the_rest_is_kept(path: Path):
    raw = path.read_bytes()
    before = parsed(raw)
    words = (longest_word(before.subject), longest_word(before.reply_body.split("\n")[0]))
    targets = list({word.lower(): word for word in words if word}.values())
    if not targets:
        pytest.skip("no word of four letters or more to redact")
    for target in targets:
        raw, count = redact(raw, re.compile(re.escape(target), re.IGNORECASE))
        assert count >= 1, target
    after = parsed(raw)
    for target in targets:
        for text in (after.subject, after.reply_body):
            assert target.lower() not in text.lower(), (target, text[:300])
    assert "[redacted]" in after.subject + after.reply_body
    assert after.from_address == before.from_address or any(target in before.from_address for target in targets)
    if not any(target.lower() in (a.filename or "").lower() for target in targets for a in before.attachments):
        assert [a.filename for a in after.attachments] == [a.filename for a in before.attachments]
    for kept, was in zip(after.attachments, before.attachments):  # a text attachment may have held it too
        assert kept.content == was.content or any(target.encode() in was.content for target in targets)


def test_a_base64_body_is_encoded_again_and_crlf_kept():
    raw = (b"From: Dana <dana@example.com>\r\nSubject: Card\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + __import__("base64").encodebytes("Ma carte: 4111 1111 1111 1111, merci. Fran\xe7ois".encode("latin-1"))
           .replace(b"\n", b"\r\n"))
    redacted, count = redact(raw, re.compile(re.escape("4111 1111 1111 1111")))
    assert count == 1 and b"\r\n" in redacted and b"\n" not in redacted.replace(b"\r\n", b"")
    assert parsed(redacted).reply_body == "Ma carte: [redacted], merci. François"


def test_text_nowhere_in_the_message_changes_nothing():
    raw = (FIXTURES / "gmail_reply.eml").read_bytes()
    assert redact(raw, re.compile("zzzz-not-there")) == (raw, 0)


@pytest.mark.parametrize("build", [lambda: hostile_mail.subject_bomb(words=5_000, charsets=("utf-8", "iso-8859-1")),
                                   lambda: hostile_mail.many_parts(parts=5_000),
                                   lambda: hostile_mail.nested(levels=60)], ids=["subject bomb", "parts", "nesting"])
def test_a_message_built_to_exhaust_a_parser_has_only_the_text_as_written_replaced(build):
    raw = build()
    redacted, count = redact(raw, re.compile("mallory", re.IGNORECASE))
    assert count >= 2 and b"allory" not in redacted and len(redacted) - len(raw) == count * 3  # "[redacted]"
