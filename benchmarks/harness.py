"""What the benchmarks share: a real `caredesk serve` on a throwaway home, a light keep-alive HTTP load
generator (asyncio, raw sockets, so the client takes little of the CPU the server needs), and statistics."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CAREDESK = str(Path(sys.executable).with_name("caredesk"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def caredesk_env(home: Path, database_url: str | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAREDESK_")}
    env.update(CAREDESK_HOME=str(home), CAREDESK_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="caredesk.settings")
    if database_url:
        env["CAREDESK_DATABASE_URL"] = database_url
    return env


def run_cli(env: dict, *args: str) -> str:
    result = subprocess.run([CAREDESK, *args], env=env, capture_output=True, text=True, check=False,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"caredesk {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout.strip()


@contextmanager
def prepared_home(keep: str | None = None):
    """A fresh, initialised caredesk home with agent `bench` and its API token."""
    home = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="caredesk-bench-"))
    env = caredesk_env(home)
    run_cli(env, "init", "--no-input")
    run_cli(env, "agent", "add", "bench", "--role", "Agent", "--password", "benchmark-password")
    token = run_cli(env, "token", "create", "bench")
    yield home, env, token


def cpu_seconds_of_tree(pid: int) -> list[float]:
    """CPU seconds (user + system) used so far by `pid`, then by each process below it, from /proc (Linux)."""
    table = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    tree, found = [pid], [table.get(pid, (0, 0.0))[1]]
    for parent in tree:
        for child, (ppid, seconds) in sorted(table.items()):
            if ppid == parent:
                tree.append(child)
                found.append(seconds)
    return found


@dataclass
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU seconds the server and its worker processes have used so far."""
        return sum(cpu_seconds_of_tree(self.pid))


@contextmanager
def running_server(env: dict, workers: int = 2):
    port = free_port()
    server = subprocess.Popen(
        [CAREDESK, "serve", "--port", str(port), "--workers", str(workers), "--no-background-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a loaded, shared machine starts the server slowly
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/v1/health/live", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    else:
        server.kill()
        raise SystemExit(f"server did not start: {server.stderr.read()}")
    try:
        yield Server(port, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


@dataclass
class Result:
    latencies: list[float]
    elapsed: float
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000

    def summary(self) -> str:
        return (f"{len(self.latencies)} requests in {self.elapsed:.2f}s = {self.rate:.0f}/s; "
                f"p50 {self.percentile(50):.1f} ms, p95 {self.percentile(95):.1f} ms, "
                f"p99 {self.percentile(99):.1f} ms, mean {statistics.mean(self.latencies) * 1000:.1f} ms; "
                f"statuses {self.statuses}")


def request_bytes(method: str, path: str, token: str | None, body: dict | None = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


async def _exchange(reader, writer, data: bytes) -> int:
    writer.write(data)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return int(status_line.split()[1])


async def _closed_loop(port, make_request, connections, duration):
    latencies, statuses = [], {}
    deadline = time.perf_counter() + duration

    async def connection(index):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sequence = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = await _exchange(reader, writer, make_request(index, sequence))
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            sequence += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(index) for index in range(connections)))
    return Result(latencies, time.perf_counter() - started, statuses)


async def _open_loop(port, make_request, rate, duration, connections):
    """Requests sent on a fixed schedule; latency counts from the scheduled time (no coordinated omission)."""
    latencies, statuses = [], {}
    queue: asyncio.Queue = asyncio.Queue()
    total = int(rate * duration)
    start = time.perf_counter()

    async def connection(index):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while True:
            item = await queue.get()
            if item is None:
                break
            sequence, scheduled = item
            status = await _exchange(reader, writer, make_request(index, sequence))
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    workers = [asyncio.create_task(connection(index)) for index in range(connections)]
    for sequence in range(total):
        scheduled = start + sequence / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        queue.put_nowait((sequence, scheduled))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return Result(latencies, time.perf_counter() - start, statuses)


def closed_loop(port, make_request, *, connections: int, duration: float) -> Result:
    return asyncio.run(_closed_loop(port, make_request, connections, duration))


def open_loop(port, make_request, *, rate: float, duration: float, connections: int = 8) -> Result:
    return asyncio.run(_open_loop(port, make_request, rate, duration, connections))
