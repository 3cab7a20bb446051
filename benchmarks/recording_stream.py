"""A 200 MB call recording streamed through a real `caredesk serve`: the server's memory stays flat.

The recording arrives as in production: a signed Twilio voicemail callback makes the call on a ticket, a signed
recording status callback queues its download, and `caredesk worker --once` fetches the audio from a local
"provider" (an HTTP server on 127.0.0.1 serving 200 MB). Then an agent's API token streams
`GET /api/v1/recordings/{id}/content` whole and as one 100 MB range, while the resident memory (RSS) of the
server's process tree is sampled every 20 ms (the client reads at 100 MB/s at most, so a stream lasts seconds); the baseline is the same sampling around `GET /api/v1/health/live`.

    .venv/bin/python -m benchmarks.recording_stream [--megabytes 200]
"""

from __future__ import annotations

import argparse
import http.server
import os
import threading
import time
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

from benchmarks.harness import prepared_home, run_cli, running_server

PUBLIC_URL = "https://desk.example.com"
AUTH_TOKEN = "benchmark-auth-token"
CHUNK = 1024 * 1024


def tree_rss_megabytes(pid: int) -> float:
    """Resident memory of `pid` and every process below it, from /proc (Linux)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
    tree = [pid]
    for parent in tree:
        tree += [child for child, ppid in parents.items() if ppid == parent]
    total = 0
    for member in tree:
        try:
            for line in open(f"/proc/{member}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def provider(megabytes: int) -> http.server.ThreadingHTTPServer:
    """The "provider": `megabytes` MB of audio, written as it is read (it holds one chunk at a time)."""

    class Audio(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "audio/x-wav")
            self.send_header("Content-Length", str(megabytes * CHUNK))
            self.end_headers()
            chunk = b"RIFF" + bytes(CHUNK - 4)
            for _ in range(megabytes):
                self.wfile.write(chunk)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Audio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def signed_post(port: int, path: str, params: dict) -> int:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, params)
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=urllib.parse.urlencode(params).encode(),
                                     headers={"X-Twilio-Signature": signature})
    return urllib.request.urlopen(request).status


def sampled(server_pid: int, work) -> tuple[float, float, float, object]:
    """RSS before, the highest during `work()`, and after it; and what `work` returned."""
    before = tree_rss_megabytes(server_pid)
    peak, done = [before], threading.Event()

    def sample():
        while not done.is_set():
            peak.append(tree_rss_megabytes(server_pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    time.sleep(0.5)
    return before, max(peak), tree_rss_megabytes(server_pid), result


def read_all(url: str, token: str, headers: dict | None = None, repeat: int = 1,
             megabytes_a_second: float = 100) -> tuple[int, int, float]:
    """Bytes read (at most `megabytes_a_second`, like a slow listener, so the sampling sees the stream), the
    last status, seconds taken."""
    started, total, status = time.monotonic(), 0, 0
    for _ in range(repeat):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", **(headers or {})})
        with urllib.request.urlopen(request) as response:
            status = response.status
            while chunk := response.read(CHUNK):
                total += len(chunk)
                time.sleep(max(0.0, started + total / CHUNK / megabytes_a_second - time.monotonic()))
    return total, status, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    audio = provider(args.megabytes)
    with prepared_home() as (home, env, token):
        env.update(CAREDESK_PUBLIC_URL=PUBLIC_URL, CAREDESK_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                   CAREDESK_RECORDING_SOURCE_HOSTS="127.0.0.1")  # the stand-in provider below
        with running_server(env, workers=2) as server:
            base = f"http://127.0.0.1:{server.port}"
            sid = "RE" + "0" * 30
            signed_post(server.port, "/channels/twilio/voice/recording/",
                        {"RecordingSid": sid, "CallSid": "CA1", "From": "+14155550132", "RecordingDuration": "3600",
                         "RecordingUrl": f"http://127.0.0.1:{audio.server_address[1]}/{sid}"})
            signed_post(server.port, "/channels/twilio/recordings/status/",
                        {"RecordingSid": sid, "CallSid": "CA1", "RecordingStatus": "completed",
                         "RecordingDuration": "3600",
                         "RecordingUrl": f"http://127.0.0.1:{audio.server_address[1]}/{sid}"})
            started = time.monotonic()
            print(run_cli(env, "worker", "--once"))
            print(f"worker downloaded {args.megabytes} MB in {time.monotonic() - started:.1f}s")
            content = f"{base}/api/v1/recordings/1/content"
            half = args.megabytes * CHUNK // 2
            rows = [
                ("baseline `GET /api/v1/health/live` x200",
                 lambda: read_all(f"{base}/api/v1/health/live", token, repeat=200)),
                (f"`GET /recordings/1/content` ({args.megabytes} MB, 200)", lambda: read_all(content, token)),
                (f"`GET /recordings/1/content`, Range of {half // CHUNK} MB (206)",
                 lambda: read_all(content, token, {"Range": f"bytes={half}-{2 * half - 1}"})),
                (f"`GET /recordings/1/content` again ({args.megabytes} MB, 200)", lambda: read_all(content, token)),
            ]
            print("| request | bytes | status | seconds | server RSS before | during (peak) | after |")
            print("|---|---|---|---|---|---|---|")
            for title, work in rows:
                before, peak, after, (total, status, seconds) = sampled(server.pid, work)
                print(f"| {title} | {total:,} | {status} | {seconds:.2f} | {before:.0f} MB | {peak:.0f} MB "
                      f"| {after:.0f} MB |")
    audio.shutdown()


if __name__ == "__main__":
    main()
