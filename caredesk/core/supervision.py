"""Keeping child processes running: `caredesk serve` starts the web server, the background worker and the
channel processes as children and starts again any that dies, after a capped exponential backoff.

Only the standard library: the supervisor needs no database and survives whatever its children do. Once
`caredesk serve` has checked the database it replaces itself (exec, same pid) with this module run as a
program (`main`), so the process that only waits on its children does not hold Django's ~70 MB.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

logger = logging.getLogger("caredesk.supervisor")
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child receives when its parent dies


class Backoff:
    """Delays before starting a dying process again: `first`, doubling up to `cap`; back to `first` once the
    process has stayed up `stable_seconds`."""

    def __init__(self, first: float, cap: float, stable_seconds: float) -> None:
        self.first, self.cap, self.stable_seconds = first, max(first, cap), stable_seconds
        self.next = first

    def delay(self, uptime: float) -> float:
        """The delay before the next start, for a process that ran `uptime` seconds before it died."""
        if uptime >= self.stable_seconds:
            self.next = self.first
        delay = self.next
        self.next = min(self.cap, self.next * 2)
        return delay


@dataclass
class Child:
    name: str
    command: list[str]
    backoff: Backoff
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    start_at: float = 0.0  # monotonic time of the next start, while the child is down
    restarts: int = 0


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """A child of a supervisor that is itself killed (kill -9) is asked to stop, not left running."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the service manager stops the process group instead
        pass


class Supervisor:
    """Runs named commands until SIGTERM or SIGINT, starting again (with backoff) any that exits; then stops
    them all: SIGTERM, and SIGKILL for any still running after `stop_timeout` seconds."""

    def __init__(self, commands: dict[str, list[str]], *, first_delay: float = 1.0, max_delay: float = 60.0,
                 stable_seconds: float = 30.0, stop_timeout: float = 30.0, poll_seconds: float = 0.2) -> None:
        self.children = [Child(name, command, Backoff(first_delay, max_delay, stable_seconds))
                         for name, command in commands.items()]
        self.stop_timeout = stop_timeout
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def request_stop(self, signum=None, frame=None) -> None:
        if not self.stopping.is_set() and signum is not None:
            logger.warning("stopping on %s", signal.Signals(signum).name)
        self.stopping.set()

    def run(self) -> int:
        """Supervise until asked to stop; 0 once every child is stopped."""
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self.request_stop)
        for child in self.children:
            self._start(child)
        try:
            while not self.stopping.wait(self.poll_seconds):
                self.check()
        finally:
            self.stop_all()
        return 0

    def check(self) -> None:
        """Notice children that died and start those whose backoff is over."""
        now = time.monotonic()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                delay = child.backoff.delay(now - child.started_at)
                logger.error("%s (pid %s) %s after %.0fs; starting it again in %.1fs", child.name,
                             child.process.pid, describe_exit(child.process.returncode), now - child.started_at,
                             delay)
                child.process, child.start_at = None, now + delay
            if child.process is None and now >= child.start_at and not self.stopping.is_set():
                child.restarts += 1
                self._start(child)

    def _start(self, child: Child) -> None:
        try:
            child.process = subprocess.Popen(child.command, preexec_fn=_die_with_parent)
        except OSError:
            delay = child.backoff.delay(0)
            logger.exception("could not start %s; trying again in %.1fs", child.name, delay)
            child.start_at = time.monotonic() + delay
            return
        child.started_at = time.monotonic()
        if child.restarts:
            logger.warning("%s started again (pid %s), restart %s", child.name, child.process.pid, child.restarts)
        else:
            logger.info("%s started (pid %s)", child.name, child.process.pid)

    def stop_all(self) -> None:
        running = [child.process for child in self.children
                   if child.process is not None and child.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.error("pid %s did not stop within %ss; killing it", process.pid, self.stop_timeout)
                process.kill()
                process.wait()


def exec_supervisor(commands: dict[str, list[str]], *, log_level: str, **timing: float) -> None:
    """Replace this process (its pid kept, so signals and a service manager still reach it) with `main`
    supervising `commands`; `timing` is `Supervisor`'s delays. Does not return."""
    sys.stdout.flush()
    sys.stderr.flush()
    config = json.dumps({"commands": commands, "log_level": log_level, "timing": timing})
    os.execv(sys.executable, [sys.executable, "-m", "caredesk.core.supervision", config])


def main(argv: list[str]) -> int:
    """`python -m caredesk.core.supervision CONFIG`: what `exec_supervisor` runs. Logs as caredesk's settings
    do (the message alone, on standard error, at CAREDESK_LOG_LEVEL)."""
    config = json.loads(argv[0])
    logging.basicConfig(level=config["log_level"], format="%(message)s")
    return Supervisor(config["commands"], **config["timing"]).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
