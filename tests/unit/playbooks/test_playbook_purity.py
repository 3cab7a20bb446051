"""The functional core stays pure: no Django, no other caredesk app, no wall clock, no team data in code."""

import ast
from pathlib import Path

import pytest

import caredesk.playbooks

PACKAGE = Path(caredesk.playbooks.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED_IMPORTS = {"__future__", "dataclasses", "datetime", "difflib", "functools", "pathlib", "re", "typing", "zoneinfo", "yaml", "holidays", "caredesk.playbooks",
                   "caredesk.calendars.hours"}  # business hours: pure as well (tests/unit/sla/test_sla_purity.py)
OWN_MODULES = {"__init__.py", "spec.py", "calendar.py", "engine.py", "render.py"}


def own_modules():
    return [path for path in MODULES if path.name in OWN_MODULES]


@pytest.mark.parametrize("path", own_modules(), ids=lambda path: path.name)
def test_imports_only_the_standard_library_yaml_and_holidays(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module]
        else:
            continue
        for name in names:
            assert any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED_IMPORTS), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", own_modules(), ids=lambda path: path.name)
def test_never_reads_the_wall_clock(path):
    tree = ast.parse(path.read_text())
    calls = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not calls & {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}


@pytest.mark.parametrize("path", own_modules(), ids=lambda path: path.name)
def test_owners_industries_and_notes_are_data_not_code(path):
    source = path.read_text()
    for literal in ("Roxy", "Vincent", "Unresponsive Customers", "1/3", "2/3", "3/3", "us_passport", "tsa_precheck", "ein"):
        assert f'"{literal}' not in source and f"'{literal}" not in source, f"{literal!r} in {path.name}"
