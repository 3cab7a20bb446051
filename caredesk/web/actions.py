"""The only writers of saved views. A saved view is its owner's: its changes are events of the owner's audit
trail (AgentEvent: saved_view.created, saved_view.changed, saved_view.deleted)."""

from __future__ import annotations

from django.contrib.auth.models import Group as Role
from django.db import transaction

from caredesk.core import clock
from caredesk.core.actions import record_agent_event
from caredesk.core.audit import Actor
from caredesk.core.errors import Forbidden, ValidationFailed
from caredesk.web.models import SavedView

MAX_VIEWS_PER_AGENT = 50


def _clean_filters(filters: dict) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in (filters or {}).items():
        if key in {"cursor", "page", "saved", "csrfmiddlewaretoken"} or value in (None, ""):
            continue
        cleaned[str(key)[:40]] = str(value)[:200]
    return cleaned


def _audit(view: SavedView) -> dict:
    """What a saved view's event records about it (the view's id outlives its row in the event)."""
    return {"id": view.pk, "name": view.name, "filters": view.filters,
            "shared_with": view.shared_with.name if view.shared_with else None}


@transaction.atomic
def save_view(*, agent, name: str, filters: dict, shared_with: Role | None = None) -> SavedView:
    """Create the agent's view called `name`, or replace the filters of the one they already have."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("A saved view needs a name.", field="name")
    if len(name) > 80:
        raise ValidationFailed("A view name has at most 80 characters.", field="name")
    if shared_with is not None and not agent.groups.filter(pk=shared_with.pk).exists():
        raise ValidationFailed(f"You can only share with a role you hold, not {shared_with}.", field="shared_with")
    now = clock.now()
    view = SavedView.objects.select_for_update().filter(owner=agent, name=name).first()
    if view is None:
        if SavedView.objects.filter(owner=agent).count() >= MAX_VIEWS_PER_AGENT:
            raise ValidationFailed(f"You already have {MAX_VIEWS_PER_AGENT} saved views.", field="name")
        view = SavedView.objects.create(
            owner=agent, name=name, filters=_clean_filters(filters), shared_with=shared_with,
            created_at=now, updated_at=now,
        )
        record_agent_event(Actor.of_agent(agent), agent, "saved_view.created", field="saved_view", after=_audit(view))
        return view
    before = _audit(view)
    view.filters = _clean_filters(filters)
    view.shared_with = shared_with
    if _audit(view) != before:
        view.updated_at = now
        view.save(update_fields=["filters", "shared_with", "updated_at"])
        record_agent_event(Actor.of_agent(agent), agent, "saved_view.changed", field="saved_view", before=before,
                           after=_audit(view))
    return view


@transaction.atomic
def delete_view(view: SavedView, *, agent) -> None:
    if view.owner_id != agent.pk:
        raise Forbidden("Only the agent who saved a view can remove it.")
    SavedView.objects.filter(pk=view.pk).delete()
    record_agent_event(Actor.of_agent(agent), agent, "saved_view.deleted", field="saved_view", before=_audit(view))
