"""API authentication (per-agent bearer tokens, or the agent's browser session) and capability checks."""

from __future__ import annotations

from ninja.security import APIKeyCookie, HttpBearer

from caredesk.core.actions import agent_for_token
from caredesk.core.errors import Forbidden


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        return agent_for_token(token)


class SessionAuth(APIKeyCookie):
    """The signed-in agent's session, for the agent workspace's own calls (CSRF checked)."""

    param_name = "sessionid"

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def require(request, capability: str):
    """The authenticated agent, if they hold `capability`; otherwise a 403."""
    agent = request.auth
    if not agent.can(capability):
        raise Forbidden(f"Your role does not allow this ({capability.replace('_', ' ')}).")
    return agent
