"""docs/cli.md is what the commands' own `--help` says (regenerate: `caredesk cli-reference > docs/cli.md`)."""

from __future__ import annotations

from pathlib import Path

from caredesk.cli import app
from caredesk.core.cli_reference import cli_reference, command_paths

PAGE = Path(__file__).parents[3] / "docs" / "cli.md"


def test_docs_cli_md_is_generated_from_the_commands_help():
    assert PAGE.read_text() == cli_reference(app), \
        "docs/cli.md is out of step with the commands: run `caredesk cli-reference > docs/cli.md`"


def test_every_visible_command_is_on_the_page_and_the_generator_is_not():
    paths = [" ".join(path) for path in command_paths(app)]
    assert {"serve", "web", "worker", "smtpd", "imap", "simulate", "playbook validate",
            "report compliance"} <= set(paths)
    assert "cli-reference" not in paths


def test_no_module_imports_the_entry_point():
    """`caredesk/cli.py` registers the apps' commands; they import the shared helpers (`core/commands.py`), never
    the entry point back, so the commands form no import cycle."""
    import ast

    package = Path(__file__).parents[3] / "caredesk"
    importers = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if "caredesk.cli" in names or (isinstance(node, ast.ImportFrom) and node.module == "caredesk"
                                           and any(alias.name == "cli" for alias in node.names)):
                importers.append(str(path.relative_to(package)))
    assert importers == []
