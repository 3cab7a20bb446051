"""Serving the WSGI application with gunicorn, configured from code."""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker


def write_problem(sock, status: int, reason: str, message: str) -> None:
    """gunicorn's answer to a request it refuses before the application sees it (a request line or headers
    over its limits, a malformed request), as problem+json like every other error, instead of its HTML page."""
    body = json.dumps({"type": f"urn:caredesk:problem:{reason.lower().replace(' ', '-')}", "title": reason,
                       "status": status, "detail": message or f"{reason}."}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


class ProblemThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, writing its own error answers as problem+json. gunicorn has no setting for
    its error page; every one goes through gunicorn.util.write_error, which this worker process replaces."""

    def init_process(self):
        util.write_error = write_problem
        super().init_process()


class CaredeskServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """The application, loaded once in the master before it forks the workers (`preload_app`), its URL
        configuration (every view module) imported too, so the workers share those pages with it copy-on-write
        instead of each loading its own copy. What start-up allocated stays for the processes' life, so it is
        moved out of the garbage collector's view (`gc.freeze`): otherwise every full collection walks those
        ~100,000 objects again, adding ~75 ms to one request in twenty, and writing their headers would copy
        the shared pages into each worker. No database connection is kept open across the fork."""
        import gc

        from django.db import connections
        from django.urls import get_resolver

        from caredesk.wsgi import application

        get_resolver().url_patterns  # noqa: B018 (imports every view module)
        connections.close_all()
        gc.collect()
        gc.freeze()
        return application


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = 4) -> None:
    CaredeskServer({
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": ProblemThreadWorker,
        # The client's address and scheme are read by caredesk from CAREDESK_TRUSTED_PROXIES alone
        # (caredesk/core/proxies.py); gunicorn would otherwise believe X-Forwarded-Proto from the loopback.
        "forwarded_allow_ips": "",
        "threads": threads,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 20,
    }).run()
