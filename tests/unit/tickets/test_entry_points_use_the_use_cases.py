"""The doors (the API and the workspace) open tickets and add to their timelines only through the use cases
(caredesk/tickets/use_cases.py), so they keep one set of rules."""

import ast
from pathlib import Path

import pytest

import caredesk

PACKAGE = Path(caredesk.__file__).parent
DOORS = sorted([*(PACKAGE / "api").glob("*.py"), *(PACKAGE / "web").rglob("*.py")])
USE_CASE_WRITERS = {"create_ticket", "add_interaction", "receive_customer_message"}


def called_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            function = node.func
            names.add(function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", ""))
    return names


@pytest.mark.parametrize("path", DOORS, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_door_calls_no_ticket_action_a_use_case_wraps(path):
    assert not called_names(path) & USE_CASE_WRITERS, "call caredesk.tickets.use_cases instead"
