"""The engine for the database in use: SQLite FTS5 or PostgreSQL full-text search, same interface."""

from __future__ import annotations

import logging

from django.db import connection

from caredesk.search.engines.base import Engine, Filters, Unavailable

__all__ = ["Engine", "Filters", "Unavailable", "current", "check_at_start_up"]

log = logging.getLogger("caredesk.search")


def current() -> Engine:
    if connection.vendor == "postgresql":
        from caredesk.search.engines.postgresql import PostgresEngine

        return PostgresEngine()
    from caredesk.search.engines.sqlite import SqliteEngine

    return SqliteEngine()


def check_at_start_up() -> list[str]:
    """What the database lacks for search, logged as an error at start-up (and shown by `caredesk doctor`-like
    callers); empty when everything is there. Reads only the library version on SQLite, no table."""
    if connection.vendor == "postgresql":
        return []  # the migration fails loudly if pg_trgm cannot be created: nothing to check before it
    from caredesk.search.engines.sqlite import missing_features

    missing = missing_features()
    for problem in missing:
        log.error("search: %s", problem)
    return missing
