"""The SLA's functional core (clocks, priority, business hours) imports no Django and reads no wall clock."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3] / "caredesk"
PURE = [ROOT / "calendars" / "hours.py", ROOT / "sla" / "clocks.py", ROOT / "sla" / "priority.py",
        ROOT / "sla" / "recipients.py"]
ALLOWED = {"__future__", "collections", "dataclasses", "datetime", "functools", "zoneinfo", "holidays",
           "caredesk.calendars.hours"}


@pytest.mark.parametrize("path", PURE, ids=lambda path: path.name)
def test_imports_only_the_standard_library_and_holidays(path):
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            assert any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED), f"{path.name}: {name}"


@pytest.mark.parametrize("path", PURE, ids=lambda path: path.name)
def test_never_reads_the_wall_clock(path):
    calls = {node.func.attr for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not calls & {"now", "utcnow", "today", "time", "monotonic"}
