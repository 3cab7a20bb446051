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
