"""Full-text search (issue 14): one interface (`caredesk.search.queries.search`), two engines (SQLite FTS5,
PostgreSQL tsvector + GIN), fed by document sources other apps register (`caredesk.search.registry`)."""
