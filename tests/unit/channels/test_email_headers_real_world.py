"""Headers as real mail writes them: raw 8-bit names and subjects, legacy charsets in encoded words."""

import base64

import pytest

from caredesk.channels.email.parsing import parse_message


def parse(headers: bytes, body: bytes = b"Hello\n"):
    return parse_message(headers + b"\n" + body, max_attachment_bytes=10_000_000)


def encoded_word(text: str, charset: str, codec: str | None = None) -> bytes:
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(text.encode(codec or charset)) + b"?="


def test_a_raw_utf_8_display_name_reads_right():
    parsed = parse("From: Ups Rémi <ups@example.com>\nSubject: Grüße\n".encode())
    assert (parsed.from_name, parsed.from_address, parsed.subject) == ("Ups Rémi", "ups@example.com", "Grüße")
    assert parsed.defects == ()


def test_raw_latin_1_in_a_name_and_subject_is_read_as_windows_1252_with_a_defect():
    parsed = parse("From: René Dupont <r@example.fr>\nSubject: Problème de facture\n".encode("latin-1"))
    assert (parsed.from_name, parsed.subject) == ("René Dupont", "Problème de facture")
    assert any("not UTF-8" in defect for defect in parsed.defects)


def test_raw_8_bit_headers_are_read_in_the_charset_the_body_declares():
    headers = "From: Иван <ivan@example.ru>\nSubject: Заказ\nContent-Type: text/plain; charset=koi8-r\n"
    parsed = parse(headers.encode("koi8_r"), "Привет".encode("koi8_r"))
    assert (parsed.from_name, parsed.subject, parsed.text_body) == ("Иван", "Заказ", "Привет")


def test_a_gb2312_subject_is_read_as_gb18030():
    parsed = parse(b"From: " + encoded_word("张伟", "gb2312") + b" <z@example.cn>\nSubject: "
                   + encoded_word("发票 镕", "gb2312", "gb18030") + b"\n")
    assert (parsed.from_name, parsed.subject, parsed.defects) == ("张伟", "发票 镕", ())


def test_iso_2022_jp_with_nec_extended_characters():
    word = base64.b64encode(b"\x1b$B-!\x1b(B" + "お問い合わせ".encode("iso2022_jp"))
    parsed = parse(b"From: a@example.jp\nSubject: =?ISO-2022-JP?B?" + word + b"?=\n")
    assert parsed.subject == "①お問い合わせ"


def test_shift_jis_under_an_iso_2022_jp_label():
    parsed = parse(b"From: a@example.jp\nSubject: " + encoded_word("見積もり依頼", "iso-2022-jp", "cp932") + b"\n")
    assert parsed.subject == "見積もり依頼"


def test_a_character_split_between_two_encoded_words_is_joined():
    data = "請求書について".encode("gb18030")
    first, second = base64.b64encode(data[:5]), base64.b64encode(data[5:])
    parsed = parse(b"From: a@example.cn\nSubject: =?GB2312?B?" + first + b"?=\n =?GB2312?B?" + second + b"?=\n")
    assert parsed.subject == "請求書について"


def test_a_replacement_character_in_a_header_is_a_defect():
    parsed = parse(b"From: a@example.com\nSubject: =?utf-8?B?" + base64.b64encode(b"bad \xff byte") + b"?=\n")
    assert parsed.subject == "bad \ufffd byte"
    assert any("replaced" in defect for defect in parsed.defects)


def test_a_raw_latin_1_attachment_name():
    body = (b"--b\nContent-Type: text/plain\n\nsee file\n--b\nContent-Type: application/pdf\n"
            b"Content-Disposition: attachment; filename=\"R\xe9sum\xe9.pdf\"\n\n%PDF-1.4\n--b--\n")
    parsed = parse(b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n", body)
    assert [attachment.filename for attachment in parsed.attachments] == ["Résumé.pdf"]


def test_the_sender_falls_back_from_from_to_sender_to_reply_to():
    assert parse(b"Sender: Desk <desk@example.com>\nReply-To: r@example.com\nSubject: x\n").from_address == "desk@example.com"
    parsed = parse(b"Reply-To: Rita Reply <rita@example.com>\nSubject: x\n")
    assert (parsed.from_name, parsed.from_address) == ("Rita Reply", "rita@example.com")
    parsed = parse(b"From: not an address\nReply-To: rita@example.com\nSubject: x\n")
    assert parsed.from_address == "rita@example.com"


def test_a_name_and_address_without_angle_brackets():
    parsed = parse(b'From: Jane Doe jane.doe@example.com\nSubject: x\n')
    assert (parsed.from_name, parsed.from_address) == ("Jane Doe", "jane.doe@example.com")
    parsed = parse(b'From: "Jane Doe" jane.doe@example.com\nSubject: x\n')
    assert (parsed.from_name, parsed.from_address) == ("Jane Doe", "jane.doe@example.com")


def test_an_address_with_its_name_in_a_comment():
    parsed = parse(b"From: jane@example.com (Jane Doe)\nSubject: x\n")
    assert (parsed.from_name, parsed.from_address) == ("Jane Doe", "jane@example.com")


def mixed(*parts: tuple[str, str]) -> bytes:
    body = b"".join(
        f"--b\nContent-Type: {content_type}; charset=utf-8\n\n{text}\n".encode() for content_type, text in parts
    )
    return body + b"--b--\n"


def test_an_html_part_beside_a_signature_only_text_part_in_mixed_is_kept():
    parsed = parse(b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n", mixed(
        ("text/plain", "--\nJane Doe, ACME"), ("text/html", "<p>My order 1234 never arrived.</p>"),
    ))
    assert parsed.text_body == "My order 1234 never arrived.\n\n--\nJane Doe, ACME"
    assert "My order 1234 never arrived." in parsed.reply_body


def test_the_same_message_as_text_and_html_in_mixed_is_read_once():
    parsed = parse(b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n", mixed(
        ("text/plain", "My order never arrived."), ("text/html", "<p>My order never arrived.</p>"),
    ))
    assert parsed.text_body == "My order never arrived."


def test_attachments_without_names_are_named_from_their_type_and_a_forward_from_its_subject():
    body = (b"--b\nContent-Type: text/plain\n\nsee attached\n"
            b"--b\nContent-Type: image/jpeg\n\nJPEG\n--b\nContent-Type: image/jpeg\n\nJPEG2\n"
            b"--b\nContent-Type: message/rfc822\n\nFrom: x@example.com\nSubject: Your order: shipped\n\nshipped\n"
            b"--b\nContent-Type: text/calendar\n\nBEGIN:VCALENDAR\n--b--\n")
    parsed = parse(b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n", body)
    assert [attachment.filename for attachment in parsed.attachments] == [
        "image.jpg", "image-2.jpg", "Your order_ shipped.eml", "invite.ics",
    ]


FORWARD_SEPARATORS = [
    ("FW: Invoice 889", "-----Original Message-----\nFrom: Billing <billing@vendor.example>\nSent: Monday, March 3, 2025 9:12 AM"),
    ("Fwd: Invoice 889", "---------- Forwarded message ---------\nFrom: Billing <billing@vendor.example>\nDate: Mon, Mar 3, 2025"),
    ("WG: Rechnung 889", "----- Original Nachricht ----\nVon: Billing <billing@vendor.example>\nDatum: 03.03.2025 09:12"),
    ("TR: Facture 889", "-------- Message d'origine --------\nDe : Billing <billing@vendor.example>\nDate : lun. 3 mars 2025"),
]


@pytest.mark.parametrize(("subject", "separator"), FORWARD_SEPARATORS)
def test_a_forward_keeps_what_was_forwarded(subject, separator):
    text = f"Please see below, can you help?\n\n{separator}\nSubject: Invoice 889\n\nAmount due: 120.00 EUR, ref 55-1182.\n"
    parsed = parse(f"From: a@example.com\nSubject: {subject}\nContent-Type: text/plain; charset=utf-8\n".encode(),
                   text.encode())
    assert parsed.reply_body.startswith("Please see below, can you help?")
    assert "Amount due: 120.00 EUR, ref 55-1182." in parsed.reply_body


def test_a_reply_still_loses_its_quoted_history():
    text = "Thanks, that fixed it.\n\n-----Original Message-----\nFrom: Support <s@example.com>\nSent: Monday\n\nTry again.\n"
    parsed = parse(b"From: a@example.com\nSubject: RE: Invoice 889\n", text.encode())
    assert parsed.reply_body == "Thanks, that fixed it."


def test_the_start_of_the_forwarded_message_is_marked():
    text = "Please see below.\n\n---------- Forwarded message ---------\nFrom: x@example.com\n\nOld text\n"
    parsed = parse(b"From: a@example.com\nSubject: Fwd: old\n", text.encode())
    assert parsed.reply_body[parsed.forwarded_at:].startswith("---------- Forwarded message")
    assert parse(b"From: a@example.com\nSubject: hello\n", b"Just a question.\n").forwarded_at is None


def test_an_rfc_2231_file_name_in_a_legacy_charset_is_read_with_the_same_fallbacks():
    body = (b"--b\nContent-Type: text/plain\n\nsee\n--b\nContent-Type: application/pdf\n"
            b"Content-Disposition: attachment; filename*=gb2312''" + "镕发票.pdf".encode("gb18030").hex("%").join(["%", ""]).encode()
            + b"\n\n%PDF\n--b--\n")
    parsed = parse(b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n", body)
    assert [attachment.filename for attachment in parsed.attachments] == ["镕发票.pdf"]
