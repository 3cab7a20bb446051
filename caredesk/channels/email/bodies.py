"""Message bodies: charset decoding, HTML to text, HTML sanitising and finding the new content of a reply."""

import re
from html.parser import HTMLParser

import nh3
import quotequail

from caredesk.channels.email.quote_headers import newest_fragment

DEFAULT_REPLY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em", "font", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strike",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
_SIGNATURE_START = re.compile(
    r"^(?:--|__+|sent from my .*|get outlook for .*|(?:best|kind|warm|many thanks and)? ?regards,?|"
    r"(?:best|cheers|thanks|thank you|many thanks|all the best|mit freundlichen grüßen|cordialement),?)$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw|wg|tr|rv|enc|i|doorst|vs|vb|vl|pd|転送|转发|轉寄|пересл|fwd\s*\[\d+\])\s*[:：]",
    re.IGNORECASE,
)
_FORWARD_SEPARATOR = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:original message|forwarded message|original nachricht|urspr[üu]ngliche nachricht|"
    r"weitergeleitete nachricht|message d'origine|message transf[ée]r[ée]|mensaje original|mensaje reenviado|"
    r"messaggio originale|messaggio inoltrato|oorspronkelijk bericht|doorgestuurd bericht|исходное сообщение|"
    r"пересылаемое сообщение|原始邮件|转发邮件|転送メッセージ|元のメッセージ)[ \t]*-*|begin forwarded message:|"
    r"-{5,}[ \t]*(?:forwarded by|weitergeleitet von)\b.*)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_BLANK_LINES = re.compile(r"\n{3,}")
# quotequail calls an Outlook "From: / Sent:" reply a forward too; a real forward says so.
_FORWARD_MARKER = re.compile(
    r"^[-\s]*(begin forwarded message|forwarded message|weitergeleitete nachricht|message transf[ée]r[ée]|"
    r"mensaje reenviado|messaggio inoltrato|doorgestuurd bericht)",
    re.IGNORECASE | re.MULTILINE,
)


def sanitise_html(html: str) -> str:
    """HTML safe to show an agent: no scripts, styles or event handlers, and only `cid:` images.

    Remote images are dropped because loading them tells the sender the message was read.
    """
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "cid"},
        clean_content_tags={"script", "style", "title"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


class _TextExtractor(HTMLParser):
    """Plain text from HTML: blocks become lines, blockquotes become `> ` quotes, links keep their URL."""

    _PARAGRAPHS = {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p", "pre", "table", "ul"}
    _LINES = {"address", "article", "dd", "div", "dl", "dt", "footer", "header", "li", "section", "tr"}
    _HIDDEN = {"head", "script", "style", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._quote_depth = 0
        self._hidden_depth = 0
        self._preformatted_depth = 0
        self._link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag == "br":
            self._end_line(keep_empty=True)
        elif tag in self._PARAGRAPHS or tag in self._LINES:
            self._end_line(blank_after=tag in self._PARAGRAPHS)
            self._quote_depth += tag == "blockquote"
            self._preformatted_depth += tag == "pre"
            if tag == "li":
                self._line.append("- ")
        elif tag == "a":
            self._link = dict(attrs).get("href")
        elif tag == "td" and self._line:
            self._line.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in self._PARAGRAPHS or tag in self._LINES:
            self._end_line(blank_after=tag in self._PARAGRAPHS)
            self._quote_depth = max(0, self._quote_depth - (tag == "blockquote"))
            self._preformatted_depth = max(0, self._preformatted_depth - (tag == "pre"))
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._hidden_depth:
            return
        if self._preformatted_depth:
            first, *rest = data.split("\n")
            self._line.append(first)
            for line in rest:
                self._end_line(keep_empty=True)
                self._line.append(line)
            return
        text = re.sub(r"\s+", " ", data)
        if not "".join(self._line).strip():
            text = text.lstrip()
        self._line.append(text)
        if self._link and self._link.startswith(("http:", "https:")) and self._link != text.strip():
            self._line.append(f" ({self._link})")
            self._link = None

    def _end_line(self, *, keep_empty: bool = False, blank_after: bool = False) -> None:
        """Finish the current line; blank lines never repeat and never open the text."""
        line = "".join(self._line).rstrip()
        line = line if self._preformatted_depth else line.lstrip()
        self._line = []
        previous_blank = not self.lines or not self.lines[-1].strip("> ")
        if line or (keep_empty and not previous_blank):
            self.lines.append(("> " * self._quote_depth + line).rstrip())
        if blank_after and self.lines and self.lines[-1].strip("> "):
            self.lines.append(">" * self._quote_depth)

    def text(self) -> str:
        self.close()
        self._end_line()
        return "\n".join(self.lines).strip()


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    return extractor.text()


def is_forward_subject(subject: str) -> bool:
    """Whether a subject says its message forwards another ("Fwd:", "FW:", "WG:", "TR:", "RV:", "转发:"...)."""
    return bool(_FORWARD_SUBJECT.match(subject))


def forward_start(text: str) -> int | None:
    """Where in `text` a forwarded or original message begins (its separator line), or None."""
    if "--" not in text and "orwarded message:" not in text.lower():  # every separator has one of these
        return None
    found = _FORWARD_SEPARATOR.search(text)
    return found.start() if found and text[: found.start()].strip() else None


def extract_reply(text: str, languages: tuple[str, ...] = DEFAULT_REPLY_LANGUAGES, *, forwarded: bool = False) -> str:
    """The new content of a message: quoted history and the signature removed.

    A forwarded message is kept whole (what was forwarded is the content): one whose subject says so
    (`forwarded`, see `is_forward_subject`), whatever its separator ("-----Original Message-----",
    "----- Original Nachricht -----"), or one with a "Forwarded message" marker that quotequail reads as
    a forward. Signatures are cut only at
    a line that is nothing but a sign-off ("Best regards,", "--", "Sent from my phone"), so "Thanks,
    that fixed it" survives. Never empty when `text` is not.
    """
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    if forwarded:
        return _BLANK_LINES.sub("\n\n", text)
    if _FORWARD_MARKER.search(text):  # checked first: quotequail's unwrap is slow on long messages
        unwrapped = quotequail.unwrap(text)
        if unwrapped and unwrapped["type"] == "forward":
            return text
    newest = _without_quoted_lines(_without_signature(newest_fragment(text, languages)))
    if newest:
        return _BLANK_LINES.sub("\n\n", newest)
    expanded = quotequail.quote(text)[0]
    return expanded[1].strip() if expanded[0] and expanded[1].strip() else text


def _without_signature(text: str) -> str:
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if _SIGNATURE_START.match(lines[index].strip()) and "\n".join(lines[:index]).strip():
            return "\n".join(lines[:index]).strip()
    return text.strip()


def _without_quoted_lines(text: str) -> str:
    """Drop a trailing block of `>` quoted lines that had no "On ... wrote:" introduction."""
    lines = text.split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()
