"""parse_message: charsets, limits, file names, HTML, identifiers, and never a crash on bad input."""

import base64
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredesk.channels.email.parsing import MalformedEmail, parse_message, safe_filename

LIMIT = 1024 * 1024


def message(body: bytes, *headers: str, content_type: str = "text/plain; charset=utf-8") -> bytes:
    lines = ["From: Jane <jane@example.com>", "To: support@example.com", "Subject: Hello", *headers]
    lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse(raw: bytes, **limits):
    return parse_message(raw, max_attachment_bytes=limits.pop("max_attachment_bytes", LIMIT), **limits)


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("iso-8859-1", "Müller, déjà vu"),
        ("windows-1252", "“quoted” – €5"),
        ("koi8-r", "Привет, мир"),
        ("shift_jis", "パスポート"),
        ("gb2312", "护照更新"),
        ("utf-8", "naïve ✈"),
    ],
)
def test_bodies_decode_in_their_declared_charset(charset, text):
    parsed = parse(message(text.encode(charset), content_type=f"text/plain; charset={charset}"))
    assert parsed.text_body == text
    assert parsed.defects == ()


def test_latin_1_label_reads_windows_1252_quotes_as_senders_mean_them():
    parsed = parse(message("“hi”".encode("cp1252"), content_type="text/plain; charset=iso-8859-1"))
    assert parsed.text_body == "“hi”"


@pytest.mark.parametrize("charset", ["x-unknown-charset", "base64", "rot13", "punycode", "idna", "\x00"])
def test_unknown_or_non_text_charsets_fall_back_without_crashing(charset):
    parsed = parse(message("café".encode(), content_type=f'text/plain; charset="{charset}"'))
    assert parsed.text_body == "café"


def test_undeclared_eight_bit_text_tries_utf_8_then_windows_1252():
    assert parse(message("café".encode(), content_type="text/plain")).text_body == "café"
    assert parse(message("café".encode("cp1252"), content_type="text/plain")).text_body == "café"


def test_invalid_utf_8_bytes_are_replaced_and_reported():
    parsed = parse(message(b"ok \xff\xfe end"))
    assert parsed.text_body == "ok \ufffd\ufffd end"
    assert any("replaced" in defect for defect in parsed.defects)


def test_missing_message_id_is_generated_deterministically_and_flagged():
    raw = message(b"hello")
    first, second = parse(raw), parse(raw)
    assert first.message_id_generated and first.message_id == second.message_id
    assert first.message_id.endswith("@generated.caredesk.invalid")
    assert parse(raw + b"!").message_id != first.message_id


def test_identifiers_are_normalised_without_angle_brackets():
    parsed = parse(
        message(
            b"x",
            "Message-ID:  <Abc.1@Mail.Example.com> ",
            "In-Reply-To: <parent@example.com> (comment)",
            "References: <root@example.com>\r\n <parent@example.com> <root@example.com>",
        )
    )
    assert parsed.message_id == "Abc.1@Mail.Example.com"
    assert parsed.in_reply_to == "parent@example.com"
    assert parsed.references == ("root@example.com", "parent@example.com")


def test_addresses_are_lower_cased_and_invalid_ones_reported():
    parsed = parse(message(b"x", "Cc: Bob <BOB@Example.ORG>, not-an-address, \"Doe, J\" <j@x.example>"))
    assert parsed.from_address == "jane@example.com" and parsed.from_name == "Jane"
    assert parsed.cc == ("bob@example.org", "j@x.example")
    assert any("invalid address" in defect for defect in parsed.defects)


def test_a_date_without_a_zone_is_read_as_utc_and_a_bad_date_as_none():
    assert parse(message(b"x", "Date: Mon, 3 Mar 2025 10:00:00 -0000")).date == datetime(2025, 3, 3, 10, tzinfo=UTC)
    assert parse(message(b"x", "Date: yesterday-ish")).date is None


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n", b"<html><body>hi</body></html>", b'{"json": true}', b"\x00\xff" * 50])
def test_input_that_is_not_an_email_raises_a_clear_error(raw):
    with pytest.raises(MalformedEmail):
        parse(raw)


def multipart(*parts: str) -> bytes:
    body = "".join(f"--b\r\n{part}\r\n" for part in parts) + "--b--\r\n"
    return message(body.encode(), content_type='multipart/mixed; boundary="b"')


def attachment_part(name: str, data: bytes, content_type: str = "application/octet-stream", extra: str = "") -> str:
    encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (
        f"Content-Type: {content_type}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n{extra}"
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
    )


def test_attachment_over_the_size_limit_is_skipped_with_a_reason():
    parsed = parse(
        multipart("Content-Type: text/plain\r\n\r\nsee attached", attachment_part("big.bin", b"x" * 5000)),
        max_attachment_bytes=4000,
    )
    assert parsed.attachments == ()
    [skipped] = parsed.skipped_attachments
    assert (skipped.filename, skipped.reason, skipped.size) == ("big.bin", "too_large", 5000)


def test_attachments_beyond_the_count_limit_are_skipped():
    parts = [attachment_part(f"{number}.txt", b"data", "text/plain") for number in range(4)]
    parsed = parse(multipart("Content-Type: text/plain\r\n\r\nfour files", *parts), max_attachments=2)
    assert [item.filename for item in parsed.attachments] == ["0.txt", "1.txt"]
    assert [(item.filename, item.reason) for item in parsed.skipped_attachments] == [
        ("2.txt", "too_many"),
        ("3.txt", "too_many"),
    ]


def test_a_large_attachment_decodes_exactly():
    data = bytes(range(256)) * 8192
    [attachment] = parse(multipart(attachment_part("data.bin", data)), max_attachment_bytes=len(data)).attachments
    assert attachment.content == data and attachment.size == len(data)


def test_inline_images_keep_their_content_id():
    related = multipart(
        "Content-Type: text/html\r\n\r\n<p>logo</p><img src=\"cid:logo@x\"><img src=\"https://tracker.example/p.gif\">",
        "Content-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=",
    )
    parsed = parse(related)
    [image] = parsed.attachments
    assert (image.inline, image.content_id, image.filename) == (True, "logo@x", "image.png")
    assert 'src="cid:logo@x"' in parsed.html_body and "tracker.example" not in parsed.html_body


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("CON.txt", "_CON.txt"),
        ("a\x00b<>:|?*.pdf", "ab______.pdf"),
        ("...", "document.pdf"),
        ("", "document.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_filenames_are_safe_on_any_file_system(filename, expected):
    assert safe_filename(filename, "application/pdf") == expected


def test_html_is_sanitised():
    html = '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">a</a><img src="http://t/p.gif"></p>'
    parsed = parse(message(html.encode(), content_type="text/html; charset=utf-8"))
    assert "script" not in parsed.html_body and "onclick" not in parsed.html_body
    assert "javascript" not in parsed.html_body and "http://t" not in parsed.html_body
    assert parsed.text_body == "Hi a"


def test_reply_body_is_never_empty_when_the_message_has_content():
    parsed = parse(message(b"> only a quote\r\n> nothing new"))
    assert parsed.reply_body == "> only a quote\n> nothing new"


def test_machine_readable_headers_are_kept_for_later():
    parsed = parse(message(b"x", "Auto-Submitted: auto-replied", "List-Id: <a.list.example>"))
    assert parsed.header("AUTO-SUBMITTED") == "auto-replied"
    assert parsed.header_values("list-id") == ["<a.list.example>"]
    assert parsed.header("x-missing") is None


def test_deep_nesting_and_missing_boundaries_are_defects_not_errors():
    nested = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (depth, depth) for depth in range(60))
    parsed = parse(message(nested, content_type='multipart/mixed; boundary="top"'))
    assert any("boundary" in defect for defect in parsed.defects)
    parsed = parse(message(b"text", content_type="multipart/mixed"))
    assert parsed.text_body == "text" and any("without a boundary" in defect for defect in parsed.defects)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_but_malformed_email(raw):
    try:
        parse(raw)
    except MalformedEmail:
        pass


header_names = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Message-ID", "References", "Content-Type", "Content-Disposition",
     "Content-Transfer-Encoding", "Delivered-To", "Reply-To", "X-Other"]
)  # fmt: skip
header_values = st.one_of(
    st.text(max_size=80).map(lambda text: text.replace("\r", "").replace("\n", "")),
    st.sampled_from(
        ['multipart/mixed; boundary="b"', "text/plain; charset=koi8-r", "text/html; charset=bogus", "base64",
         "quoted-printable", 'attachment; filename*=utf-8\'\'%E2%9C%88.pdf', "=?utf-8?b?w6k=?=", "<a@b>", "<>",
         '"unterminated <x@y', "Mon, 32 Foo 2025 99:99:99 +9999", "=?x-bad?q?=FF?="]
    ),
)  # fmt: skip
bodies = st.lists(st.sampled_from(["--b", "--b--", "Content-Type: text/html", "", "aGVsbG8", "=E9=", "<p>x</p>", "\xe9"]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(header_names, header_values), max_size=10), bodies)
def test_email_shaped_garbage_parses_with_defects_instead_of_raising(headers, body_lines):
    head = "\r\n".join(f"{name}: {value}" for name, value in [("Subject", "x"), *headers])
    raw = (head + "\r\n\r\n" + "\r\n".join(body_lines)).encode("utf-8", "surrogateescape")
    parsed = parse(raw)
    for text in (parsed.subject, parsed.text_body, parsed.reply_body, parsed.html_body, parsed.from_name):
        assert "\x00" not in text
        text.encode("utf-8")
