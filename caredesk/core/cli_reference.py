"""docs/cli.md, generated from the commands' own `--help` (`caredesk cli-reference > docs/cli.md`), as Datasette
does; tests/unit/core/test_core_cli_reference.py fails when the page is out of step with the commands."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

WIDTH = 100
HEADER = """# The `caredesk` command

<!-- Generated from each command's own help by `caredesk cli-reference > docs/cli.md`; do not edit by hand.
     A test fails when this page and the commands differ. -->

Every command reads its settings from `CAREDESK_*` variables ([configuration.md](configuration.md)). Exit
status is 0 on success and 1 with a message on standard error otherwise. How to run the long-running ones
(`serve`, `web`, `worker`, `smtpd`, `imap`) in production: [deployment.md](deployment.md).
"""


def command_paths(app: typer.Typer) -> list[list[str]]:
    """Every visible command, as the words after `caredesk`, groups before their commands."""
    paths: list[list[str]] = []

    def walk(path: list[str], command) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):
            context = command.context_class(command, info_name="caredesk")
            for name in command.list_commands(context):
                child = command.get_command(context, name)
                if not child.hidden:
                    walk([*path, name], child)

    walk([], typer.main.get_command(app))
    return paths


def help_text(app: typer.Typer, path: list[str]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="caredesk", terminal_width=WIDTH,
                                env={"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"})
    if result.exit_code != 0:
        raise RuntimeError(f"caredesk {' '.join(path)} --help failed: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.splitlines()).strip("\n")


def cli_reference(app: typer.Typer) -> str:
    """The Markdown page: each command's `--help`, in the order `caredesk --help` lists them."""
    sections = [f"## `{' '.join(['caredesk', *path])}`\n\n```\n{help_text(app, path)}\n```\n"
                for path in command_paths(app)]
    return HEADER + "\n" + "\n".join(sections)
