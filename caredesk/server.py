"""Serving the WSGI application with gunicorn, configured from code."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class CaredeskServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from caredesk.wsgi import application

        return application


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = 4) -> None:
    CaredeskServer({
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 20,
    }).run()
