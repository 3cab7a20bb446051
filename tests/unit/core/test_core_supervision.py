"""The supervisor's backoff, and the supervisor itself on real child processes (a few Python one-liners)."""

from __future__ import annotations

import logging
import sys
import threading
import time

from caredesk.core.supervision import Backoff, Supervisor, describe_exit


def test_backoff_doubles_up_to_its_cap_and_resets_after_a_stable_run():
    backoff = Backoff(first=1, cap=5, stable_seconds=30)
    assert [backoff.delay(uptime=2) for _ in range(5)] == [1, 2, 4, 5, 5]
    assert backoff.delay(uptime=31) == 1
    assert backoff.delay(uptime=0) == 2


def test_exits_are_described_by_status_or_signal():
    assert describe_exit(3) == "exited with status 3"
    assert describe_exit(-9) == "was killed by SIGKILL"


def test_a_dying_child_is_started_again_and_all_stop_on_request(caplog, tmp_path):
    starts = tmp_path / "starts"
    dying = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"]
    lasting = [sys.executable, "-c", "import time; time.sleep(60)"]
    supervisor = Supervisor({"dying": dying, "lasting": lasting}, first_delay=0.05, max_delay=0.1, poll_seconds=0.02,
                            stop_timeout=5)
    runner = threading.Thread(target=supervisor.run)
    with caplog.at_level(logging.INFO, logger="caredesk.supervisor"):
        runner.start()
        deadline = time.monotonic() + 20
        while (not starts.exists() or len(starts.read_text()) < 3) and time.monotonic() < deadline:
            time.sleep(0.05)
        lasting_process = supervisor.children[1].process
        supervisor.request_stop()
        runner.join(timeout=10)
    assert len(starts.read_text()) >= 3
    assert lasting_process.returncode is not None and supervisor.children[1].restarts == 0
    assert "dying (pid" in caplog.text and "exited with status 3" in caplog.text
    assert "dying started again" in caplog.text
