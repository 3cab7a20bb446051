"""newest_fragment finds what mail-parser-reply's read() puts first, in every language it knows."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from caredesk.channels.email.bodies import DEFAULT_REPLY_LANGUAGES
from caredesk.channels.email.parsing import parse_message
from caredesk.channels.email.quote_headers import _header_expression, newest_fragment

CORPUS = Path(__file__).parents[2] / "fixtures" / "email"
LANGUAGE_SETS = [DEFAULT_REPLY_LANGUAGES, *((language,) for language in MAIL_LANGUAGES)]
# Lines that open (or nearly open) a quote header in the languages, and ordinary ones.
LINES = [
    "On Mon, 3 Mar 2025 at 10:00, Support <support@example.com> wrote:", "On Monday Customer Care", "wrote:",
    "> On Tue, Pat wrote:", "On On Mon wrote:", "Am 03.03.2025 um 10:00 schrieb Support <s@example.com>:",
    "Le lun. 3 mars 2025 à 10:00, Support a écrit :", "Le 3 mars, Support a écrit:",
    "El lun, 3 mar 2025, Support escribió:", "Il giorno lun 3 mar, Support ha scritto:",
    "Op ma 3 mrt 2025 schreef Support:", "Den 3. mar. 2025 skrev Support:", "Dne 3. 3. 2025 napsal(a):",
    "From: Support <support@example.com>", "Sent: Monday, March 3, 2025 10:00 AM", "To: Pat", "Subject: Re: x",
    "*From:* Support", "> From: a", "> Sent: b", "Von: Support", "Gesendet: Montag", "An: Pat", "De : Support",
    "Envoyé : lundi", "De: Support", "Enviado: lunes", "Para: Pat", "Da: Support", "Inviato: lunedì", "A: Pat",
    "Van: Support", "Verzonden: maandag", "Aan: Pat", "Fra: Support", "Sendt: mandag", "Til: Pat",
    "-----Original Message-----", "----- Original Message -----", "-----Oprindelig meddelelse-----",
    "________________________________", "--", "Best regards,", "Thanks, that fixed it.", "> quoted line", ">",
    "", "  ", "Hello,", "My passport photo was rejected.", "Sent from my iPhone", "2025年3月3日(月) 10:00 Support:",
]  # fmt: skip


def library_fragment(text: str, languages: tuple[str, ...]) -> str:
    return EmailReplyParser(languages=list(languages)).read(text).replies[0].content


def corpus_texts() -> list[str]:
    return [parse_message(path.read_bytes(), max_attachment_bytes=10**7).text_body for path in CORPUS.glob("*.eml")]


def test_the_default_languages_take_the_line_start_path():
    assert _header_expression(DEFAULT_REPLY_LANGUAGES)[1]


@pytest.mark.parametrize("languages", LANGUAGE_SETS, ids="-".join)
def test_corpus_messages_split_as_the_library_splits_them(languages):
    for text in corpus_texts():
        assert newest_fragment(text, languages) == library_fragment(text, languages)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(LINES) | st.text(max_size=30), max_size=25),
    separator=st.sampled_from(["\n", "\r\n", "\n\n"]),
    languages=st.sampled_from(LANGUAGE_SETS),
)
def test_any_text_splits_as_the_library_splits_it(lines, separator, languages):
    text = separator.join(lines)
    assert newest_fragment(text, languages) == library_fragment(text, languages)
