"""A second `caredesk demo` whose ports are taken stops with a plain message before touching anything, and
`--mail-port` moves the demo's SMTP receiver."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.test_cli import free_port, home, run  # noqa: F401  (home is a fixture)

pytestmark = pytest.mark.e2e


def test_a_taken_mail_port_stops_the_demo_with_a_plain_message(home):  # noqa: F811
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = run(home, "demo", "--port", str(free_port()), "--mail-port", str(port))
    output = demo.stdout + demo.stderr
    assert demo.returncode == 1, output
    assert f"127.0.0.1:{port} is not free for the demo's SMTP receiver" in output
    assert "--mail-port" in output
    assert "Traceback" not in output and "becomes a ticket" not in output


def test_the_mail_port_option_moves_the_smtp_receiver(home):  # noqa: F811
    port = free_port()
    demo = run(home, "demo", "--no-serve", "--mail-port", str(port))
    assert demo.returncode == 0, demo.stderr
    assert f"Mail sent to any address at 127.0.0.1:{port} (SMTP) becomes a ticket" in demo.stdout
