"""Applying field changes to a model and describing them for the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models


def audit_value(value: Any) -> Any:
    """A JSON-friendly picture of a field value: related objects as {"id", "name"}."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [audit_value(item) for item in value]
    if isinstance(value, models.Choices):
        return value.value
    return value


def apply_changes(instance: models.Model, changes: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Set each changed attribute on `instance`; returns (field, before, after) for those that differ."""
    changed: list[tuple[str, Any, Any]] = []
    for field, new_value in changes.items():
        old_value = getattr(instance, field)
        if old_value == new_value:
            continue
        setattr(instance, field, new_value)
        changed.append((field, audit_value(old_value), audit_value(new_value)))
    return changed
