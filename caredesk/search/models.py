"""The index's own rows: one `SearchDocument` per indexed row of a source (the external content of the SQLite
FTS5 tables and the PostgreSQL tsvector, which the migrations add per database), and `IndexBuild`, where a
`caredesk search-index` run is up to. Written only by caredesk.search.actions."""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    source = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    ticket_id = models.BigIntegerField(null=True, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    public = models.BooleanField(default=False)
    at = models.DateTimeField(null=True, blank=True)
    # Short columns first: SQLite reads a row's columns in order, and the substring search rechecks `ids`
    # of each candidate without reading through a long body.
    ids = models.TextField(blank=True, help_text="Identifiers, lower case, for substring search.")
    keys = models.TextField(blank=True, help_text="Identifiers and the digits of phone numbers, as words.")
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "object_id"], name="search_document_unique")]
        indexes = [models.Index(fields=["ticket_id"], name="search_document_ticket")]

    def __str__(self) -> str:
        return f"{self.source} {self.object_id}"


class IndexBuild(models.Model):
    """Progress of a build of one source: the last id indexed, so an interrupted build resumes there."""

    source = models.CharField(max_length=32, unique=True)
    last_id = models.BigIntegerField(default=0)
    indexed = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} up to {self.last_id}"
