"""Ticket creation through the HTTP API of a real `caredesk serve` on SQLite.

Targets (issue 2): at least 500 tickets/s sustained; p99 under 50 ms at a steady 100 tickets/s. The
baseline is GET /api/v1/health/live on the same server in the same run (no auth, no database).

    .venv/bin/python -m benchmarks.api_ticket_create [--duration 20] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request

from benchmarks.harness import closed_loop, open_loop, prepared_home, request_bytes, running_server


def create_customer(port: int, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/customers", method="POST",
        data=json.dumps({"name": "Benchmark Customer", "emails": ["bench@example.com"]}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request).read())["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sustained load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options = parser.parse_args()

    with prepared_home() as (home, env, token), running_server(env, workers=options.workers) as server:
        port = server.port
        customer_id = create_customer(port, token)
        health = request_bytes("GET", "/api/v1/health/live", None)

        def create(index, sequence):
            return request_bytes("POST", "/api/v1/tickets", token, {
                "subject": f"Benchmark ticket {index}-{sequence}", "description": "Load test.",
                "requester_id": customer_id, "ticket_type": "general_inquiry", "priority": "medium",
                "tags": ["benchmark"], "status": "open",
            })

        def measured(make_request, duration):
            """The closed loop's result, and the server's CPU milliseconds per request during it."""
            cpu_before = server.cpu_seconds()
            result = closed_loop(port, make_request, connections=options.connections, duration=duration)
            return result, (server.cpu_seconds() - cpu_before) * 1000 / max(1, len(result.latencies))

        closed_loop(port, create, connections=options.connections, duration=2)  # warm up
        baseline, baseline_cpu = measured(lambda i, s: health, options.duration / 2)
        sustained, sustained_cpu = measured(create, options.duration)
        steady = open_loop(port, create, rate=100, duration=options.duration, connections=options.connections)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (the machine may be shared)")
    print(f"baseline  GET /health          : {baseline.summary()}")
    print(f"                                 server CPU {baseline_cpu:.2f} ms a request")
    print(f"sustained POST /tickets        : {sustained.summary()}")
    print(f"                                 server CPU {sustained_cpu:.2f} ms a ticket, "
          f"{sustained_cpu * sustained.rate / 1000:.2f} CPUs busy")
    print(f"steady    POST /tickets @100/s : {steady.summary()}")
    print(f"ratio: ticket creation runs at {sustained.rate / baseline.rate:.2f}x the trivial endpoint's rate")
    print(f"target >= 500 tickets/s: {'met' if sustained.rate >= 500 else 'NOT met'} ({sustained.rate:.0f}/s)")
    print(f"target p99 < 50 ms at 100/s: {'met' if steady.percentile(99) < 50 else 'NOT met'} "
          f"({steady.percentile(99):.1f} ms)")


if __name__ == "__main__":
    main()
