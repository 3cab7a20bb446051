"""`caredesk simulate`: run a scenario on a throwaway database and print the ticket's timeline."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import typer

from caredesk.core.commands import fail, migrate, setup_django


def register(app: typer.Typer) -> None:
    """Add the playbook commands that stand alone to the `caredesk` command."""
    app.command("simulate")(simulate)


def simulate(
    scenario_file: Path = typer.Argument(..., metavar="SCENARIO.yaml", help="A scenario file (docs/simulator.md)."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON instead of text."),
):
    """Run a scenario through the real playbooks on a virtual clock and a throwaway database.

    Exits with 1 when the scenario is invalid, or when it has an `expect:` section the timeline does not meet.
    """
    from rich.markup import escape

    from caredesk.playbooks.spec import PlaybookError

    home = tempfile.mkdtemp(prefix="caredesk-simulate-")
    os.environ["CAREDESK_HOME"] = home
    os.environ.pop("CAREDESK_DATABASE_URL", None)
    try:
        setup_django()
        from django.db import connections

        from caredesk.playbooks.simulate import load_scenario, run_scenario
        from caredesk.playbooks.timeline import expectation_diff, render_timeline

        try:
            scenario = load_scenario(scenario_file)
            migrate()
            result = run_scenario(scenario)
        except PlaybookError as error:
            fail(escape(f"invalid scenario: {error}"))  # the message quotes YAML such as [email, call]
        finally:
            connections.close_all()
        difference = expectation_diff(scenario.expect, result) if scenario.expect else None
        if json_output:
            data = result.to_data()
            if scenario.expect:
                data["expectation"] = {"met": difference is None, "diff": difference}
            print(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            print(render_timeline(result), end="")
            if scenario.expect:
                print("\nExpectation met." if difference is None else f"\nExpectation NOT met:\n{difference}")
        if difference is not None:
            raise typer.Exit(1)
    finally:
        shutil.rmtree(home, ignore_errors=True)
