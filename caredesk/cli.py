"""The `caredesk` command: the one entry point. It registers every sub-command, its own and each app's
(`channels/cli.py`, `playbooks/cli.py`); those import only the shared helpers in `core/commands.py`."""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from caredesk.analytics import cli as analytics_cli
from caredesk.channels import cli as channels_cli
from caredesk.core.commands import (caredesk_command, console, ensure_database_ready, errors, fail, migrate,
                                    setup_django)
from caredesk.playbooks import cli as playbooks_cli
from caredesk.search import cli as search_cli

# Markdown: a docstring's paragraphs are re-wrapped to the terminal, not broken where the source breaks them.
app = typer.Typer(help="caredesk: a helpdesk that runs your support SOPs as code.", no_args_is_help=True,
                  add_completion=False, rich_markup_mode="markdown")
agent_app = typer.Typer(help="Manage agents.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
playbook_app = typer.Typer(help="Read and check playbooks: the SOPs as data.", no_args_is_help=True)
report_app = typer.Typer(help="Reports for managers.", no_args_is_help=True)
app.add_typer(agent_app, name="agent")
app.add_typer(token_app, name="token")
app.add_typer(playbook_app, name="playbook")
app.add_typer(report_app, name="report")


@app.command()
def init(
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; read the admin from the environment."),
    admin_username: Optional[str] = typer.Option(None, envvar="CAREDESK_ADMIN_USERNAME"),
    admin_password: Optional[str] = typer.Option(None, envvar="CAREDESK_ADMIN_PASSWORD"),
    admin_email: str = typer.Option("", envvar="CAREDESK_ADMIN_EMAIL"),
):
    """Create or migrate the database and create the first admin.

    On a terminal it asks for the admin's name and password; with --no-input (or without a terminal) it reads
    them from the environment, and prints a generated password when none is given. Running it again only
    migrates.
    """
    setup_django()
    from caredesk.core import actions, roles
    from caredesk.core.errors import DomainError
    from caredesk.core.models import Agent

    migrate(verbose=True)
    if Agent.objects.filter(groups__name=roles.ADMIN).exists() or Agent.objects.filter(is_superuser=True).exists():
        console.print("Database ready; an admin already exists.")
        return
    interactive = not no_input and sys.stdin.isatty()
    username = admin_username or (typer.prompt("Admin username", default="admin") if interactive else "admin")
    generated = False
    password = admin_password
    if not password and interactive:
        password = typer.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    if not password:
        password, generated = secrets.token_urlsafe(12), True
    try:
        actions.create_agent(username=username, password=password, email=admin_email, role_names=[roles.ADMIN])
    except DomainError as error:
        fail(error.detail)
    console.print(f"Created admin [bold]{username}[/].")
    if generated:
        console.print(f"Password: [bold]{password}[/]  (shown once; change it after signing in)")


WEB_WORKERS = typer.Option(int(os.environ.get("CAREDESK_WEB_WORKERS", "2")), help="Web worker processes.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = WEB_WORKERS,
    background_worker: Optional[bool] = typer.Option(
        None, "--background-worker/--no-background-worker",
        help="Run the background worker beside the web server (default: on with the embedded SQLite database).",
    ),
):
    """Serve the workspace, the API and the admin, with the background worker and the channel processes.

    Each runs as a child process (`caredesk web`, `worker`, `smtpd`, `imap`); one that dies is started again
    after a backoff and logged. SIGTERM or SIGINT stops them all.
    """
    setup_django()
    from django.conf import settings
    from django.db import connections

    from caredesk.core.supervision import exec_supervisor

    ensure_database_ready()
    embedded = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    children = {"web": caredesk_command("web", "--host", host, "--port", str(port), "--workers", str(workers))}
    if background_worker if background_worker is not None else embedded:
        children["worker"] = caredesk_command("worker")
    children.update(channels_cli.companion_commands())
    connections.close_all()  # the supervisor itself needs no database connection while it waits
    exec_supervisor(children, log_level=settings.LOGGING["root"]["level"],
                    first_delay=settings.SUPERVISOR_RESTART_SECONDS,
                    max_delay=settings.SUPERVISOR_RESTART_MAX_SECONDS,
                    stable_seconds=settings.SUPERVISOR_STABLE_SECONDS)


@app.command()
def web(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = WEB_WORKERS,
):
    """Serve only the workspace, the API and the admin (gunicorn), without background work.

    gunicorn starts a web worker process again when one dies; run it under systemd for the rest.
    """
    setup_django()
    from caredesk.server import run_gunicorn

    ensure_database_ready()
    run_gunicorn(host=host, port=port, workers=workers)


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Run one pass and exit."),
    interval: Optional[float] = typer.Option(None, help="Seconds between sweeps (default CAREDESK_WORKER_SWEEP_SECONDS)."),
):
    """Run background work: due follow-ups, auto-close of solved tickets, outbound messages.

    Runs in the foreground, records a heartbeat after each sweep (`GET /api/v1/health`) and stops cleanly on
    SIGTERM or SIGINT after the current pass. Any number may run on PostgreSQL; one on SQLite.
    """
    setup_django()
    from django.conf import settings

    from caredesk import worker as background

    ensure_database_ready()
    if once:
        for name, count in background.run_once().items():
            console.print(f"{name}: {count}")
        return
    background.run_forever(interval if interval is not None else settings.WORKER_SWEEP_SECONDS)


def _check_port_free(host: str, port: int, what: str, option: str) -> None:
    """Stop with a plain message when `host:port` cannot be listened on (another demo holds it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(f"{host}:{port} is not free for {what} ({error.strerror or error}); another caredesk demo may be "
                 f"running. Stop it, or choose another port with {option}.")


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the server after loading the demo."),
    mail_port: Optional[int] = typer.Option(
        None, "--mail-port", help="Port of the demo's SMTP receiver (default: CAREDESK_SMTPD_PORT, else 2525).",
    ),
):
    """Create a fresh demo database (in ./caredesk-demo unless CAREDESK_HOME is set), then serve it.

    The demo has agents in every role, customers, orders and tickets for every SOP; the URL and the sign-ins
    are printed. The SMTP receiver is on: mail sent to it becomes tickets. When a port it needs is taken
    (another demo is running), it stops before touching anything and says which option to change.
    """
    home = Path(os.environ.setdefault("CAREDESK_HOME", str(Path("caredesk-demo").resolve())))
    os.environ.setdefault("CAREDESK_SMTPD_ENABLED", "true")  # mail to the demo becomes tickets
    if mail_port is not None:
        os.environ["CAREDESK_SMTPD_PORT"] = str(mail_port)
    if os.environ.get("CAREDESK_DATABASE_URL"):
        fail("the demo runs on its own SQLite database; unset CAREDESK_DATABASE_URL.")
    setup_django()
    from django.conf import settings

    if serve_after:
        _check_port_free(host, port, "the workspace", "--port")
        if settings.SMTPD_ENABLED:
            _check_port_free(settings.SMTPD_HOST, settings.SMTPD_PORT, "the demo's SMTP receiver", "--mail-port")
    for suffix in ("", "-wal", "-shm"):
        (home / f"caredesk.sqlite3{suffix}").unlink(missing_ok=True)
    from caredesk.demo import DEMO_PASSWORD, load_demo

    migrate()
    agents = load_demo()
    url = f"http://{host}:{port}/"
    console.print(f"\n[bold]caredesk demo[/] at [link={url}]{url}[/link]  (data in {home})")
    console.print(f"Sign in with any of these; the password is [bold]{DEMO_PASSWORD}[/]:")
    for username, role in agents:
        console.print(f"  {username:<12} {role}")
    if settings.SMTPD_ENABLED:
        console.print(f"Mail sent to any address at {settings.SMTPD_HOST}:{settings.SMTPD_PORT} (SMTP) becomes a "
                      f"ticket; replies go to the outbox (recorded, not sent, until CAREDESK_SMTP_HOST is set).")
    if serve_after:
        serve(host=host, port=port, workers=2, background_worker=True)


@agent_app.command("add")
def agent_add(
    username: str,
    role: list[str] = typer.Option(["Agent"], "--role", help="A role; repeat for several."),
    password: Optional[str] = typer.Option(None, help="Sign-in password (prompted on a terminal when omitted)."),
    email: str = typer.Option(""),
    first_name: str = typer.Option(""),
    last_name: str = typer.Option(""),
    skill: list[str] = typer.Option([], "--skill", help="A skill; repeat for several."),
):
    """Add an agent with roles (Agent, Back Office, Resolution Specialist, Resolution Lead, Team Supervisor, Admin)."""
    setup_django()
    from caredesk.core import actions
    from caredesk.core.errors import DomainError

    ensure_database_ready()
    if password is None and sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        agent = actions.create_agent(username=username, password=password, email=email, first_name=first_name,
                                     last_name=last_name, role_names=role, skills=skill)
    except DomainError as error:
        fail(error.detail)
    console.print(f"Added agent [bold]{agent.username}[/] ({', '.join(role)}).")


@token_app.command("create")
def token_create(agent: str, name: str = typer.Option("cli", help="What the token is for.")):
    """Create an API token for AGENT and print it (it is not shown again: only a digest is stored)."""
    setup_django()
    from caredesk.core import actions
    from caredesk.core.errors import DomainError
    from caredesk.core.models import Agent

    ensure_database_ready()
    row = Agent.objects.filter(username=agent).first()
    if row is None:
        fail(f"no agent named {agent!r}.")
    try:
        _, token = actions.create_api_token(row, name)
    except DomainError as error:
        fail(error.detail)
    print(token)


@playbook_app.command("validate")
def playbook_validate(files: list[Path] = typer.Argument(..., help="Playbook YAML files.")):
    """Check playbook files against the schema; errors name the file, line and field."""
    from caredesk.playbooks.spec import PlaybookError, load_playbook

    failed = False
    for path in files:
        try:
            playbook = load_playbook(path)
        except PlaybookError as error:
            errors.print(f"[bold red]invalid:[/] {escape(str(error))}")
            failed = True
        else:
            console.print(f"[green]valid:[/] {path}: {playbook.name} version {playbook.version} ({playbook.title})")
    if failed:
        raise typer.Exit(1)


@playbook_app.command("list")
def playbook_list():
    """The playbooks in force: the shipped defaults and the team's own (CAREDESK_PLAYBOOKS_DIR)."""
    setup_django()
    from rich.table import Table

    from caredesk.playbooks.registry import available_playbooks
    from caredesk.playbooks.spec import PlaybookError, latest_versions

    try:
        playbooks = latest_versions(available_playbooks())
    except PlaybookError as error:
        fail(str(error))
    table = Table("name", "version", "title", "starts on", "days", "file")
    for name in sorted(playbooks):
        playbook = playbooks[name]
        table.add_row(name, str(playbook.version), playbook.title, playbook.trigger.event.replace("_", " "),
                      playbook.days.describe(), playbook.file)
    console.print(table)


@playbook_app.command("show")
def playbook_show(name: str):
    """Print a playbook as a readable day-by-day procedure."""
    setup_django()
    from caredesk.playbooks.registry import available_playbooks
    from caredesk.playbooks.render import render_procedure
    from caredesk.playbooks.spec import PlaybookError, latest_versions

    try:
        playbooks = latest_versions(available_playbooks())
    except PlaybookError as error:
        fail(str(error))
    if name not in playbooks:
        fail(f"no playbook named {name!r}; there are: {', '.join(sorted(playbooks))}.")
    print(render_procedure(playbooks[name]))


@report_app.command("compliance")
def report_compliance(
    since: Optional[str] = typer.Option(None, help="First day, YYYY-MM-DD (default: 6 days before --until)."),
    until: Optional[str] = typer.Option(None, help="Last day, YYYY-MM-DD (default: today)."),
    timezone: str = typer.Option("UTC", help="Time zone the days are counted in."),
    playbook: Optional[str] = typer.Option(None, help="Only this playbook."),
    agent: Optional[str] = typer.Option(None, help="Only this agent (username)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
):
    """Per playbook, agent and day: attempts required, done on time, late, missed; tickets closed unresponsive."""
    import json
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    setup_django()
    from rich.table import Table

    from caredesk.core import clock
    from caredesk.playbooks import report

    ensure_database_ready()
    try:
        zone = ZoneInfo(timezone)
        last = date.fromisoformat(until) if until else clock.now().astimezone(zone).date()
        first = date.fromisoformat(since) if since else last - timedelta(days=6)
    except (ValueError, ZoneInfoNotFoundError) as error:
        fail(f"bad date or time zone: {error}")
    if first > last:
        fail("--since must not be after --until.")
    rows = report.compliance(first, last, timezone=timezone, playbook=playbook, agent=agent)
    if as_json:
        print(json.dumps({"since": first.isoformat(), "until": last.isoformat(), "timezone": timezone,
                          "rows": [row.as_dict() for row in rows], "totals": report.totals(rows)}, indent=2))
        return
    table = Table("day", "playbook", "agent", "required", "on time", "late", "missed", "open",
                  "closed unresponsive", "bot issue handed off", "refund escalations", "reached",
                  title=f"Follow-up compliance {first} to {last} ({timezone})")
    for row in rows:
        table.add_row(row.day.isoformat(), row.playbook, row.agent, *(str(getattr(row, name)) for name in report.COUNTED))
    totals = report.totals(rows)
    table.add_row("total", "", "", *(str(totals.get(name, 0)) for name in report.COUNTED), style="bold")
    console.print(table)


channels_cli.register(app)  # smtpd, imap
playbooks_cli.register(app)  # simulate
search_cli.register(app)  # search-index
analytics_cli.register(report_app)  # report facts


@app.command("cli-reference", hidden=True)
def cli_reference():
    """Print docs/cli.md, generated from every command's help."""
    from caredesk.core.cli_reference import cli_reference as reference

    print(reference(app), end="")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
