"""One door for every change (DESIGN.md, rule 1): tickets, interactions, attachments, follow-up tasks, playbook
runs, flags, customers, orders and audit events are written only by their own app's actions module.

The scan reads caredesk's source (migrations aside) and fails on a write anywhere else: an ORM write through a
door model's manager (`Ticket.objects.filter(...).update(...)`, `FollowUpTask.objects.create(...)`), an audit
event written with `audit.write(Model.build(...))`, the fast statements of `core/db/statements.py`, or any
`.save()` / `.delete()` call. `core/db/statements.py` and `core/audit.py` are the tools the actions use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import caredesk

PACKAGE = Path(caredesk.__file__).parent
TOOLS = {PACKAGE / "core" / "db" / "statements.py", PACKAGE / "core" / "audit.py"}
# Rows that are no domain object and carry no audit trail: each process's liveness (`/api/v1/health`).
OPERATIONAL = {PACKAGE / "core" / "heartbeats.py"}
# Each door model and the app whose actions module alone writes it.
DOOR_MODELS = {
    "Ticket": "tickets", "Interaction": "tickets", "Attachment": "tickets", "TicketEvent": "tickets",
    "FollowUpTask": "playbooks", "PlaybookRun": "playbooks", "TicketFlag": "playbooks",
    "Customer": "customers", "ContactPoint": "customers", "Order": "customers", "CustomerEvent": "customers",
    "AgentEvent": "core", "ChannelEvent": "channels",
    "Article": "knowledge", "ArticleVersion": "knowledge", "ArticleUse": "knowledge", "ArticleVote": "knowledge",
    "ArticleEvent": "knowledge",
}
ORM_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update", "delete"}
STATEMENT_WRITES = {"insert", "insert_rows", "update_rows"}
AUDIT_WRITES = {"write", "write_all"}


def modules():
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if "migrations" not in path.parts and path not in TOOLS | OPERATIONAL)


def is_actions(path: Path, app: str | None = None) -> bool:
    return path.name == "actions.py" and (app is None or path.parent == PACKAGE / app)


def root_name(node: ast.AST) -> str | None:
    """`Ticket` for `Ticket.objects.filter(...).update`: the name a chain of attributes and calls starts from."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def through_manager(node: ast.AST) -> bool:
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def writes_outside_the_door(path: Path, source: str | None = None) -> list[str]:
    found = []
    tree = ast.parse(path.read_text() if source is None else source)
    routes = {id(decorator) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
              for decorator in node.decorator_list}  # `@router.delete(...)` declares a route, writes nothing
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or id(node) in routes:
            continue
        method, receiver = node.func.attr, node.func.value
        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        model = root_name(receiver)
        if method in ORM_WRITES and model in DOOR_MODELS and through_manager(receiver):
            if not is_actions(path, DOOR_MODELS[model]):
                found.append(f"{where} {model}.objects…{method}()")
        elif method in STATEMENT_WRITES and model == "statements" and not is_actions(path):
            found.append(f"{where} statements.{method}()")
        elif method in AUDIT_WRITES and model == "audit":
            built = [root_name(argument) for argument in node.args]
            owners = {DOOR_MODELS.get(name) for name in built if name in DOOR_MODELS}
            if not is_actions(path) or any(not is_actions(path, owner) for owner in owners):
                found.append(f"{where} audit.{method}() of {', '.join(filter(None, built)) or 'events'}")
        elif method in {"save", "delete"} and not is_actions(path) and not (
            method == "save" and isinstance(receiver, ast.Attribute) and receiver.attr == "file"
        ):
            found.append(f"{where} .{method}()")
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_domain_rows_are_written_only_by_their_apps_actions(path):
    assert writes_outside_the_door(path) == []


def test_no_module_named_bulk_beside_an_actions_module():
    assert [str(path) for path in PACKAGE.rglob("bulk.py") if (path.parent / "actions.py").exists()] == []


def test_the_scan_sees_the_writes_it_forbids():
    """Each kind of write the scan forbids, as if written in the runner."""
    source = (
        "FollowUpTask.objects.filter(pk=1).update(status='done')\n"
        "PlaybookRun.objects.create(ticket=ticket)\n"
        "statements.insert_rows(tasks)\n"
        "audit.write(TicketEvent.build(actor, 'x', ticket=ticket))\n"
        "ticket.save()\n"
    )
    assert len(writes_outside_the_door(PACKAGE / "playbooks" / "runner.py", source)) == 5
    assert writes_outside_the_door(PACKAGE / "playbooks" / "actions.py", source) == [
        "caredesk/playbooks/actions.py:4 audit.write() of TicketEvent",  # a ticket event: the ticket actions' own
    ]
