"""The real `caredesk` command: init, agent add, token create, then the HTTP API of a running `serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
CAREDESK = str(Path(sys.executable).with_name("caredesk"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def home(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAREDESK_")}
    env["CAREDESK_HOME"] = str(tmp_path / "data")
    env["DJANGO_SETTINGS_MODULE"] = "caredesk.settings"
    return env


def run(env, *args, input_text=None) -> subprocess.CompletedProcess:
    return subprocess.run([CAREDESK, *args], env=env, capture_output=True, text=True, timeout=120,
                          input=input_text, stdin=None if input_text else subprocess.DEVNULL)


def request(url, *, token=None, body=None, method=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_init_token_and_serve_create_a_ticket_over_http(home):
    init = run(home, "init", "--no-input")
    assert init.returncode == 0, init.stderr
    assert "Created admin admin" in init.stdout and "Password:" in init.stdout
    again = run(home, "init", "--no-input")
    assert again.returncode == 0 and "already exists" in again.stdout

    added = run(home, "agent", "add", "maria", "--role", "Agent", "--password", "long-enough-secret")
    assert added.returncode == 0, added.stderr
    duplicate = run(home, "agent", "add", "maria", "--password", "long-enough-secret")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr

    created = run(home, "token", "create", "maria")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("cdt_")
    assert run(home, "token", "create", "nobody").returncode == 1

    port = free_port()
    server = subprocess.Popen([CAREDESK, "serve", "--port", str(port), "--workers", "1"], env=home,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(300):
            try:
                if request(f"{base}/health/live")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail("caredesk serve did not answer within 30 seconds")

        status, ticket = request(f"{base}/tickets", token=token, body={
            "subject": "Photo rejected", "description": "Customer needs to resend a photo.",
            "requester": {"name": "Dana Whitfield", "emails": ["dana@example.com"], "phones": ["415 555 0132"]},
            "ticket_type": "general_inquiry", "tags": ["passport"], "priority": "high",
        })
        assert status == 201, ticket
        assert ticket["subject"] == "Photo rejected" and ticket["priority"] == "high"

        status, page = request(f"{base}/tickets?status=new", token=token)
        assert status == 200 and [item["id"] for item in page["items"]] == [ticket["id"]]

        status, problem = request(f"{base}/tickets", token="cdt_forged-token-000000000000000000", body={})
        assert status == 401 and problem["status"] == 401
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def test_serve_refuses_an_uninitialised_database(home):
    result = run(home, "serve", "--port", str(free_port()))
    assert result.returncode == 1 and "caredesk init" in result.stderr


def test_playbook_and_report_commands(home, tmp_path):
    from caredesk.playbooks.spec import DEFAULTS_DIRECTORY

    valid = run(home, "playbook", "validate", *map(str, sorted(DEFAULTS_DIRECTORY.glob("*.yaml"))))
    assert valid.returncode == 0 and valid.stdout.count("valid:") == len(list(DEFAULTS_DIRECTORY.glob("*.yaml")))
    text = (DEFAULTS_DIRECTORY / "general_inquiry_follow_up.yaml").read_text().replace("version: 2", "version: one", 1)
    line = text.splitlines().index("version: one") + 1
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    invalid = run(home, "playbook", "validate", str(broken))
    assert invalid.returncode == 1 and f"broken.yaml, line {line}: version: expected" in invalid.stderr

    listed = run(home, "playbook", "list")
    assert listed.returncode == 0 and "general_inquiry_follow_up" in listed.stdout
    shown = run(home, "playbook", "show", "general_inquiry_follow_up")
    assert shown.returncode == 0
    assert 'Day 5: Third follow-up' in shown.stdout and '"@Roxy V customer unresponsive"' in shown.stdout
    assert run(home, "playbook", "show", "nonsense").returncode == 1

    assert run(home, "init", "--no-input").returncode == 0
    report = run(home, "report", "compliance", "--since", "2026-01-05", "--until", "2026-01-09", "--json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout) == {"since": "2026-01-05", "until": "2026-01-09", "timezone": "UTC",
                                         "rows": [], "totals": {}}
    backwards = run(home, "report", "compliance", "--since", "2026-02-01", "--until", "2026-01-01")
    assert backwards.returncode == 1 and "--since" in backwards.stderr


def test_the_demo_loads_every_sop_and_prints_the_sign_ins(home):
    demo = run(home, "demo", "--no-serve")
    assert demo.returncode == 0, demo.stderr
    assert "caredesk-demo" in demo.stdout and "maria" in demo.stdout and "Team Supervisor" in demo.stdout
    assert "becomes a ticket" in demo.stdout  # the SMTP receiver runs with the demo
    report = json.loads(run(home, "report", "compliance", "--json").stdout)
    assert report["totals"]["closed_unresponsive"] == 1 and report["totals"]["handed_off_bot_issue"] == 3
    assert report["totals"]["required"] >= 10


def test_search_index_builds_resumes_and_reports(home):
    """`caredesk search-index` on a database that has tickets: its status, a rebuild to the end, then found."""
    assert run(home, "init", "--no-input").returncode == 0
    seed = ("import django; django.setup()\n"
            "from caredesk.core.audit import Actor\nfrom caredesk.core.models import Agent\n"
            "from caredesk.customers.actions import create_customer\nfrom caredesk.tickets.actions import create_ticket\n"
            "admin = Actor.system('seed')\n"
            "dana = create_customer(actor=admin, name='Dana Whitfield', phones=['+14155550199'])\n"
            "for n in range(30):\n"
            "    create_ticket(actor=admin, requester=dana, subject=f'Passport renewal {n}', description='By mail.')\n")
    seeded = subprocess.run([sys.executable, "-c", seed], env=home, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    status = run(home, "search-index", "--status")
    assert status.returncode == 0 and "ticket: " in status.stdout, status.stderr
    built = run(home, "search-index", "--rebuild")
    assert built.returncode == 0, built.stderr
    assert "Finishing the index" in built.stdout and "Search index built" in built.stdout
    after = run(home, "search-index", "--status")
    assert "ticket: built (30 documents)" in after.stdout and "customer: built (1 documents)" in after.stdout
    found = subprocess.run([sys.executable, "-c", "import django; django.setup()\n"
                            "from caredesk.search import queries\nfrom caredesk.core.models import Agent\n"
                            "print(len(queries.search('4155550199', agent=Agent.objects.get(username='admin')).hits))"],
                           env=home, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0 and int(found.stdout) >= 1, found.stderr
