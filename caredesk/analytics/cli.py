"""`caredesk report facts`: recompute the reports' per-ticket facts from the tickets' events."""

from __future__ import annotations

from typing import Optional

import typer

from caredesk.core.commands import fail, setup_django


def register(report_app: typer.Typer) -> None:
    report_app.command("facts")(rebuild_facts)


def rebuild_facts(
    since: Optional[str] = typer.Option(None, help="Tickets created from this day, YYYY-MM-DD (UTC); default: all."),
    until: Optional[str] = typer.Option(None, help="Tickets created before this day, YYYY-MM-DD (UTC)."),
):
    """Recompute the facts the reports read (first response, resolution, reopens, one-touch) from each ticket's
    audit events: after a business-hours calendar changed, or for facts written by an older version."""
    from datetime import UTC, datetime

    setup_django()
    from caredesk.analytics.actions import rebuild
    from caredesk.core.commands import ensure_database_ready

    ensure_database_ready()
    try:
        first = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
        last = datetime.fromisoformat(until).replace(tzinfo=UTC) if until else None
    except ValueError as error:
        fail(f"bad date: {error}")
    print(f"recomputed the facts of {rebuild(first, last)} tickets")
