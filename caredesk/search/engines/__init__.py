"""The engine for the database in use: SQLite FTS5 or PostgreSQL full-text search, same interface."""

from __future__ import annotations

import logging

from django.db import connection

from caredesk.search.engines.base import Engine, Filters

__all__ = ["Engine", "Filters", "current", "check_at_start_up", "missing"]

log = logging.getLogger("caredesk.search")


def current() -> Engine:
    if connection.vendor == "postgresql":
        from caredesk.search.engines.postgresql import PostgresEngine

        return PostgresEngine()
    from caredesk.search.engines.sqlite import SqliteEngine

    return SqliteEngine()


def missing() -> list[str]:
    """What the database lacks for search, in words; empty when everything is there. On SQLite it probes
    the library (FTS5, its trigram tokenizer) in a throwaway in-memory database."""
    if connection.vendor == "postgresql":
        return []  # the migration fails loudly if pg_trgm cannot be created: nothing to check before it
    from caredesk.search.engines.sqlite import missing_features

    return missing_features()


def check_at_start_up() -> list[str]:
    """`missing()`, each problem logged as an error: run when the app starts."""
    problems = missing()
    for problem in problems:
        log.error("search: %s", problem)
    return problems
