"""What every `caredesk` sub-command shares: Django set-up, the consoles, failing with a message, and the
database checks. The entry point (`caredesk/cli.py`) and each app's commands import from here, never from
one another, so the commands form no import cycle."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console
from rich.markup import escape

# Piped or captured output is not squeezed into 80 columns: tables would truncate names.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True, soft_wrap=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    import django

    django.setup()


def fail(message: str, code: int = 1):
    errors.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def unapplied_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_database_ready() -> None:
    from django.db.utils import OperationalError

    try:
        pending = unapplied_migrations()
    except OperationalError as error:
        fail(f"cannot reach the database: {error}")
    if pending:
        fail(f"the database needs {pending} migration(s); run `caredesk init` first.")


def caredesk_command(*arguments: str) -> list[str]:
    """The command line of another `caredesk` sub-command, run by this Python (for child processes)."""
    return [sys.executable, "-m", "caredesk.cli", *arguments]
