"""The busiest paths' statements, with SQL the ORM builds once per process instead of on every call.

Django builds a statement's SQL afresh each time: 150-250 µs of Python for a one-row insert or a lookup by
key, ten times what SQLite takes to run it. Creating a ticket or writing an audit event runs a handful of
them, so these few go through here: the ORM still generates the SQL (for whichever database is configured)
and converts every value through its field, only once per model instead of once per row. Model signals
are not sent for these rows; caredesk connects none to the models written here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

from django.db import connections, router
from django.db.models import Model
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)


@lru_cache(maxsize=None)
def _insert_sql(model: type[Model], alias: str, returning: bool) -> tuple[str, tuple]:
    """(SQL, fields) inserting one row of `model` without its auto primary key, optionally returning it."""
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated)
    query = InsertQuery(model)
    query.insert_values(fields, [model()], raw=False)
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = meta.db_returning_fields if returning else None
    [(sql, _)] = compiler.as_sql()
    return sql, fields


def _db_values(obj: Model, fields: tuple, connection) -> list:
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


def insert(obj: M) -> M:
    """INSERT `obj` (a new row with an auto primary key) and set its primary key, like `obj.save()`."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _insert_sql(model, alias, True)
    with connection.cursor() as cursor:
        cursor.execute(sql, _db_values(obj, fields, connection))
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = alias
    return obj


def insert_rows(objs: list[Model]) -> None:
    """INSERT new rows of one model whose primary keys nobody reads back (link rows, for instance)."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _insert_sql(model, alias, False)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [_db_values(obj, fields, connection) for obj in objs])


@lru_cache(maxsize=None)
def _select_sql(model: type[Model], field_name: str, alias: str) -> tuple[str, list[str], object, list]:
    """(SQL, column attnames, field, converters) selecting every column of `model` where `field_name`
    equals one value; the converters turn database values into Python ones (SQLite's datetimes, say)."""
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    compiler = model._base_manager.using(alias).filter(**{field_name: "0"}).order_by()[:1].query.get_compiler(alias)
    sql, _ = compiler.as_sql()
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, [f.attname for f in model._meta.concrete_fields], field, list(converters.items())


def get_by(model: type[M], field_name: str, value) -> M | None:
    """The row of `model` whose unique `field_name` equals `value`, or None: `filter(...).first()`, cheaper."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, attnames, field, converters = _select_sql(model, field_name, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_value(field.get_prep_value(value), connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (functions, expression) in converters:
        for convert in functions:
            row[position] = convert(row[position], expression, connection)
    return model.from_db(alias, attnames, row)

def remember_related(obj: Model, name: str, rows: list[Model]) -> None:
    """Make `obj.<name>.all()` return `rows` without a query, as `prefetch_related(name)` would have."""
    queryset = getattr(obj, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset
