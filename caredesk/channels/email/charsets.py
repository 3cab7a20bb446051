"""Bytes to text as senders meant it, for bodies and headers alike.

A declared charset is read as the superset senders actually write (WHATWG Encoding: ISO-8859-1 as
Windows-1252, GB2312 as GB18030, Shift_JIS as CP932). When the declared charset cannot read the bytes,
the other encodings of the same script, then UTF-8 and the Japanese 8-bit encodings are tried (NEC
extended characters in ISO-2022-JP, Shift_JIS under an ISO-2022-JP label); only then are bytes
replaced, with a defect. Undeclared 8-bit text is UTF-8 when it is valid UTF-8, else what
charset-normalizer detects, else Windows-1252.
"""

import codecs
import re

from charset_normalizer import from_bytes

_SUPERSETS = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_JAPANESE = ("cp932", "euc_jis_2004", "iso2022_jp_ext")
_CHINESE = ("gb18030", "big5hkscs")
_SAME_SCRIPT = {
    "iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2"),
    "cp932": _JAPANESE,
    "euc_jp": _JAPANESE,
    "gb18030": _CHINESE,
    "big5": ("big5hkscs", "gb18030"),
    "koi8_r": ("cp1251", "koi8_u"),
    "cp1251": ("koi8_r",),
    "cp949": ("euc_kr",),
}
# ISO-2022-JP as Windows writes it (CP50220) uses NEC's row 13 (①, ㈱, №), which JIS X 0213 holds at the
# same places: switching the JIS X 0208 escape to JIS X 0213's reads them.
_JIS_X_0208_ESCAPE = re.compile(rb"\x1b\$[@B]")
_JIS_X_0213_ESCAPE = b"\x1b$(Q"
# The encodings mail is written in, most used first: detection chooses among these only.
_LIKELY = ("cp1252", "cp1250", "gb18030", "cp932", "euc_jp", "cp1251", "koi8_r", "big5", "cp949", "iso8859_7",
           "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp874")
_CHAOS_TOLERANCE = 0.05
_EIGHT_BIT = bytes(range(128, 256))
_DETECTION_MINIMUM = 16
_CHARSET_NAME = re.compile(r"^[A-Za-z0-9._:+-]{1,40}$")
_SINGLE_BYTE_WESTERN = re.compile(r"^(cp125[02478]|latin|iso8859_(1|2|3|4|9|10|13|14|15|16)$|mac_)")


def canonical(charset: str) -> str | None:
    """The Python codec name of a charset label, or None for an unknown or non-text label."""
    if not _CHARSET_NAME.match(charset):
        return None
    try:
        info = codecs.lookup(charset)
    except LookupError:
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode(data: bytes, charset: str | None, defects: list[str], where: str) -> str:
    """Text from `data` in its declared `charset` (None: undeclared); replaced bytes are reported."""
    codec = canonical(charset) if charset else None
    if codec is not None:
        codec = _SUPERSETS.get(codec, codec)
        text = _first_reading(data, (codec, *_SAME_SCRIPT.get(codec, ())))
        if text is None and codec.startswith("iso2022_jp"):
            text = _first_reading(_JIS_X_0208_ESCAPE.sub(_JIS_X_0213_ESCAPE, data), ("iso2022_jp_2004",))
        if text is None and not data.isascii() and codec != "utf-8":
            text = _first_reading(data, ("utf-8", *(_JAPANESE if codec.startswith("iso2022_jp") else ())))
        if text is not None:
            return text
        defects.append(f"{where}: bytes invalid in charset {charset!r} were replaced")
        return data.decode(codec, "replace")
    if charset:
        defects.append(f"{where}: unknown charset {charset!r}, read as UTF-8 or as detected")
    return decode_undeclared(data)


def decode_undeclared(data: bytes) -> str:
    """UTF-8 when valid, else the detected encoding (a Western single-byte guess is read as Windows-1252)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = detect(data)
    if guess is not None:
        text = _first_reading(data, (guess,))
        if text is not None:
            return text
    return data.decode("cp1252", "replace")


def detect(data: bytes) -> str | None:
    """charset-normalizer's best guess for 8-bit bytes; Western single-byte guesses become Windows-1252.

    Under `_DETECTION_MINIMUM` 8-bit bytes the guess is no better than chance (four letters of "café"
    read as Chinese), so short text gets no guess. A header is short even above it: charset-normalizer
    finds several encodings about equally plausible there, and the one most used in mail wins."""
    if _eight_bit_count(data) < _DETECTION_MINIMUM:
        return None
    matches = list(from_bytes(data, cp_isolation=list(_LIKELY), threshold=0.5))
    if not matches:
        return None
    least_chaos = min(match.chaos for match in matches)
    nearly_as_good = [match.encoding for match in matches if match.chaos <= least_chaos + _CHAOS_TOLERANCE]
    guess = canonical(min(nearly_as_good, key=_LIKELY.index)) or "cp1252"
    return "cp1252" if _SINGLE_BYTE_WESTERN.match(guess) else guess


def _eight_bit_count(data: bytes) -> int:
    return len(data) - len(data.translate(None, _EIGHT_BIT))


def reads(data: bytes, codec: str) -> bool:
    """Whether `codec` decodes `data` without an error."""
    return _first_reading(data, (codec,)) is not None


def _first_reading(data: bytes, codecs_to_try: tuple[str, ...]) -> str | None:
    for codec in dict.fromkeys(codecs_to_try):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return None
