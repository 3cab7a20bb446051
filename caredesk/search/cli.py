"""`caredesk search-index`: build or rebuild the search index of an existing database."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Optional

import typer

from caredesk.core.commands import console, ensure_database_ready, fail, setup_django


def register(app: typer.Typer) -> None:
    app.command("search-index")(search_index)


def search_index(
    rebuild: bool = typer.Option(False, "--rebuild", help="Empty the index first and build it from scratch."),
    source: Optional[list[str]] = typer.Option(None, "--source", help="Only this source (repeatable): ticket, "
                                               "interaction, customer, order, case, or one an app registers."),
    status: bool = typer.Option(False, "--status", help="Show how far each source's build is, change nothing."),
):
    """Build the full-text search index for what the database already holds, with a progress bar.

    Changes made through caredesk are indexed as they commit; this command indexes the rest (a database
    from before search existed, or bulk-loaded rows). It commits batch by batch: stopped with Ctrl-C or
    killed, it resumes where it was when run again. --rebuild starts over. Reads go on during a build; the
    hits grow as it goes.
    """
    setup_django()
    ensure_database_ready()
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from caredesk.search import actions, engines, registry
    from caredesk.search.models import IndexBuild

    missing = engines.missing()
    if missing:
        fail(" ".join(missing))
    try:
        chosen = [registry.source(name) for name in source] if source else registry.sources()
    except LookupError as error:
        fail(str(error))
    states = {state.source: state for state in IndexBuild.objects.all()}
    if status:
        for item in chosen:
            state = states.get(item.name)
            where = ("not built" if state is None else f"built ({state.indexed:,} documents)" if state.finished_at
                     else f"stopped after id {state.last_id:,} ({state.indexed:,} documents)")
            console.print(f"{item.name}: {where}")
        return
    if rebuild:
        for name in [item.name for item in chosen] if source else [None]:
            actions.clear(name)
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    started = time.perf_counter()
    columns = (TextColumn("[bold]{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>9} rows/s"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        for item in chosen:
            state = None if rebuild else IndexBuild.objects.filter(source=item.name).first()
            if state is not None and state.finished_at is not None:
                progress.add_task(item.name, total=1, completed=1, rate="built")
                continue
            total = item.count()
            done = 0 if state is None else item.model._default_manager.filter(pk__lte=state.last_id).count()
            task = progress.add_task(item.name, total=total, completed=done, rate="")
            begun, counted = time.perf_counter(), 0

            def advance(rows: int, task=task) -> None:
                nonlocal counted
                counted += rows
                progress.update(task, advance=rows, rate=f"{counted / max(time.perf_counter() - begun, 1e-6):,.0f}")

            state = actions.build(item.name, progress=advance, stop=lambda: bool(stopping))
            if state.finished_at is not None:  # (a source may leave some rows out of the index)
                progress.update(task, completed=total)
            if stopping:
                console.print(f"Stopped during {item.name}; run the command again to resume.")
                raise typer.Exit(130)
    console.print("Finishing the index (PostgreSQL: its GIN indexes; SQLite: one segment per table)...")
    if not _interruptible(actions.optimize, stopping):
        console.print("Stopped while finishing; run the command again to finish (search is slow until then on "
                      "PostgreSQL, whose indexes are made in this step).")
        raise typer.Exit(130)
    console.print(f"Search index built in {time.perf_counter() - started:,.0f}s.")


def _interruptible(work: Callable[[], None], stopping: list) -> bool:
    """Run `work` (long statements: CREATE INDEX, FTS5's optimize) on a connection of its own in another thread,
    so that this one, where the signals arrive, can interrupt the statement running (SQLite's interrupt(),
    PostgreSQL's cancel()) once `stopping` says so; a statement in C would not see a signal until it ended.
    True when the work finished, False when it was interrupted (its transaction rolled back); another error is
    raised here."""
    from django.db import DatabaseError, connection

    opened, outcome = threading.Event(), {}

    def run() -> None:
        try:
            connection.ensure_connection()
            outcome["raw"] = connection.connection
            opened.set()
            work()
            outcome["done"] = True
        except DatabaseError as error:
            if not stopping:  # interrupted, the statement fails: that is the stop, not an error
                outcome["error"] = error
        except Exception as error:  # noqa: BLE001 - raised again in the calling thread, below
            outcome["error"] = error
        finally:
            opened.set()
            connection.close()

    worker = threading.Thread(target=run, name="search-index-finish")
    worker.start()
    opened.wait()
    interrupted = False
    while worker.is_alive():
        worker.join(0.2)
        if stopping and not interrupted and "raw" in outcome:
            raw = outcome["raw"]
            (raw.interrupt if hasattr(raw, "interrupt") else raw.cancel)()
            interrupted = True
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("done", False)
