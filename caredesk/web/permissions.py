"""What an agent may open in the workspace follows their role's capabilities (caredesk.core.roles).

A page outside the role answers 403 (the web/403.html page) and its link is left out of the menus, which
ask the same question through the `can` template filter.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from caredesk.core import roles


def requires(capability: str):
    """Decorate a view: sign-in required, then `capability`, else 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.can(capability):
                raise PermissionDenied(f"Your role does not allow this ({capability.replace('_', ' ')}).")
            return view(request, *args, **kwargs)

        checked.required_capability = capability
        return checked

    return decorate


def forbidden(request, exception=None):
    """handler403: a readable page inside the workspace frame."""
    reason = str(exception) if exception and str(exception) else "Your role does not allow this page."
    return render(request, "web/403.html", {"reason": reason}, status=403)


class AdminCapabilityMiddleware:
    """The admin site is for agents who may configure caredesk; anyone else signed in gets a 403
    instead of Django's "log in as another user" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/") and user is not None and user.is_authenticated
            and not user.can(roles.CONFIGURE)
        ):
            return forbidden(request, PermissionDenied("The admin site is for agents who configure caredesk."))
        return self.get_response(request)
