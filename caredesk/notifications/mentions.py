"""@username mentions in an agent's internal note."""

from __future__ import annotations

import re

# "@maria" or "@maria.lopez", not the middle of an email address ("dana@example.com").
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")


def mentioned_usernames(text: str) -> list[str]:
    """The usernames mentioned in `text`, each once, in order of first mention (case kept as written)."""
    seen: dict[str, str] = {}
    for name in MENTION.findall(text or ""):
        seen.setdefault(name.lower(), name)
    return list(seen.values())
