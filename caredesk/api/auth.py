"""API authentication (per-agent bearer tokens, or the agent's browser session) and capability checks."""

from __future__ import annotations

from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from caredesk.core.actions import agent_for_token
from caredesk.core.errors import Forbidden


class CsrfRejected(Forbidden):
    type_slug = "csrf-failed"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        return agent_for_token(token)


class SessionAuth(APIKeyCookie):
    """The signed-in agent's session, for the agent workspace's own calls.

    A call that rides on the session must pass Django's CSRF check (Origin or Referer of this site, and the
    token of the csrftoken cookie in an X-CSRFToken header) on every unsafe method, or a page elsewhere could
    make the browser act for the agent. The check runs once the session is known to be an agent's, so a call
    with neither a token nor a session still answers 401."""

    param_name = "sessionid"

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfRejected("A call made with the browser session must come from this site and carry the "
                               "CSRF token in an X-CSRFToken header; scripts use an API token instead.")
        return user


def require(request, capability: str):
    """The authenticated agent, if they hold `capability`; otherwise a 403."""
    agent = request.auth
    if not agent.can(capability):
        raise Forbidden(f"Your role does not allow this ({capability.replace('_', ' ')}).")
    return agent
