"""Every CAREDESK_* setting the code reads is documented in docs/configuration.md (Datasette's habit)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "caredesk"
TESTS = ROOT / "tests"
DOCUMENTATION = ROOT / "docs" / "configuration.md"

FULL_NAME = re.compile(r"\bCAREDESK_[A-Z][A-Z0-9_]*[A-Z0-9]\b")  # not a family such as CAREDESK_HEALTH_*
# settings.py reads through env("NAME") and its typed kin (env_bool, env_int, env_seconds...), which add the prefix.
SETTINGS_HELPER = re.compile(r"\benv(?:_[a-z]+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def settings_read_in_code(*directories: Path) -> dict[str, str]:
    """Each CAREDESK_* name the code under `directories` (the package by default) reads, with the first file
    that reads it."""
    found: dict[str, str] = {}
    for path in sorted(path for directory in directories or (PACKAGE,) for path in directory.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        names = set(FULL_NAME.findall(text)) | {f"CAREDESK_{name}" for name in SETTINGS_HELPER.findall(text)}
        for name in names:
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_settings_of_both_kinds():
    read = settings_read_in_code()
    assert "CAREDESK_SOLVED_CLOSE_DAYS" in read  # through env_int in settings.py
    assert "CAREDESK_ADMIN_PASSWORD" in read  # a literal name in the CLI


def documented() -> set[str]:
    return set(FULL_NAME.findall(DOCUMENTATION.read_text(encoding="utf-8")))


def test_every_setting_read_in_the_code_is_documented():
    documented_names = documented()
    missing = {name: where for name, where in settings_read_in_code().items() if name not in documented_names}
    assert not missing, f"read in the code but missing from docs/configuration.md: {missing}"


def test_every_documented_setting_is_read_somewhere():
    stale = documented() - set(settings_read_in_code(PACKAGE, TESTS))
    assert not stale, f"documented in docs/configuration.md but read nowhere: {sorted(stale)}"
