"""The poll every open workspace page makes (GET /live/?token=…), answered in two places with the same code:
Django's view (caredesk.web.views.live.poll) and, under `caredesk serve`, `FastPoll` in front of Django, which
answers it without Django's request handling: no middleware, no session, no URL resolving. It is the most
frequent request of the workspace (every open page, every CAREDESK_LIVE_POLL_SECONDS) and answers 304 nearly
always: its cost is what 200 agents' pages cost the server."""

from __future__ import annotations

from urllib.parse import parse_qs

from django.core.signals import request_finished, request_started

from caredesk.live import queries

PATH = "/live/"
REFUSED = b'{"detail": "Reload the page to follow its changes."}'


def answer(token: str, if_none_match: str) -> tuple[int, bytes, str]:
    """(status, body, entity tag): 200 with the state, 304 when it matches `if_none_match`, 403 for a forged
    or day-old token or an agent no longer active."""
    watched = queries.read_poll_token(token)
    state = None if watched is None else queries.poll_state(watched[0], ticket_id=watched[1], tickets=watched[2])
    if state is None:
        return 403, REFUSED, ""
    body, etag = queries.encode(state)
    if if_none_match == etag:
        return 304, b"", etag
    return 200, body.encode(), etag


STATUS_LINES = {200: "200 OK", 304: "304 Not Modified", 403: "403 Forbidden"}


class FastPoll:
    """WSGI middleware: GET /live/ answered here, everything else (and any error here) by `application`."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return self.application(environ, start_response)
        token = (parse_qs(environ.get("QUERY_STRING", "")).get("token") or [""])[0]
        # Django's signals of a request's start and end: their receivers keep the database connections healthy.
        request_started.send(sender=self.__class__, environ=environ)
        try:
            status, body, etag = answer(token, environ.get("HTTP_IF_NONE_MATCH", ""))
        except Exception:  # the database unreachable, say: Django answers, with its error handling
            return self.application(environ, start_response)
        finally:
            request_finished.send(sender=self.__class__)
        headers = [("Cache-Control", "private, no-cache"), ("X-Content-Type-Options", "nosniff")]
        if etag:
            headers.append(("ETag", etag))
        if body:
            headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response(STATUS_LINES[status], headers)
        return [body]
