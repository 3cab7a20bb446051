"""The busiest paths' statements, with SQL built once per process instead of on every call.

Django builds a statement's SQL afresh each time: 150-250 µs of Python for a one-row insert or a lookup by
key, ten times what SQLite takes to run it, and `bulk_update` a CASE expression per row and column. Creating
a ticket, writing audit events, the playbook sweep's batches and inbound mail's batches go through here
instead: the SQL is built once per model (by the ORM's compiler where it can), many rows go in one
`executemany`, and every value still goes through its field's conversion, except the plain values (a str
for a text column, an int for an integer one) that conversion would return unchanged. Model signals are not
sent for these rows; caredesk connects none to the models written here. Callers are actions, inside their
transaction, writing their audit events themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from django.db import connections, models, router
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


# Values a field's conversion returns unchanged, by exact type (a TextChoices member, a str subclass, or a
# bool for an integer column still goes through the field).
PLAIN_TYPES = ((models.CharField, (str, type(None))), (models.TextField, (str, type(None))),
               (models.BooleanField, (bool, type(None))), (models.IntegerField, (int, type(None))))


@lru_cache(maxsize=None)
def _plain_types(field: models.Field) -> tuple[type, ...]:
    target = field.target_field if field.is_relation else field
    return next((types for kind, types in PLAIN_TYPES if isinstance(target, kind)), ())


def _db_value(field: models.Field, value, connection):
    return value if type(value) in _plain_types(field) else field.get_db_prep_save(value, connection)


def _db_values(obj: Model, fields: Sequence[models.Field], connection) -> list:
    return [_db_value(field, field.pre_save(obj, True), connection) for field in fields]


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


def _written_batch(objs: Iterable[Model]) -> tuple[list[Model], type[Model], str, object]:
    """(rows, their model, the database alias to write them to, its connection) for rows of one model."""
    objs = list(objs)
    model = type(objs[0]) if objs else Model
    alias = router.db_for_write(model)
    return objs, model, alias, connections[alias]


def insert_rows(objs: Iterable[Model]) -> None:
    """INSERT new rows of one model whose primary keys nobody reads back (audit events, link rows, tasks)."""
    objs, model, alias, connection = _written_batch(objs)
    if not objs:
        return
    sql, fields = _insert_sql(model, alias, False)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [_db_values(obj, fields, connection) for obj in objs])


@lru_cache(maxsize=None)
def _update_sql(model: type[Model], field_names: tuple[str, ...], alias: str) -> tuple[str, list]:
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connections[alias].ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    return sql, fields


def update_rows(objs: Iterable[Model], field_names: Sequence[str]) -> None:
    """Save `field_names` of each of `objs` (rows of one model) with one UPDATE run for every row. Callers hold
    the rows' locks; fields that compute their value on save (auto_now) are saved as the objects hold them."""
    objs, model, alias, connection = _written_batch(objs)
    if not objs:
        return
    sql, fields = _update_sql(model, tuple(field_names), alias)
    rows = [[_db_value(field, getattr(obj, field.attname), connection) for field in fields] + [obj.pk]
            for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@lru_cache(maxsize=None)
def _select_sql(model: type[Model], field_name: str, alias: str,
                for_update: bool = False) -> tuple[str, list[str], object, list]:
    """(SQL, column attnames, field, converters) selecting every column of `model` where `field_name`
    equals one value (and locking the row, where the database has row locks); the converters turn database
    values into Python ones (SQLite's datetimes, say)."""
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    rows = model._base_manager.using(alias).filter(**{field_name: "0"}).order_by()
    compiler = (rows.select_for_update() if for_update else rows)[:1].query.get_compiler(alias)
    sql, _ = compiler.as_sql()
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, [f.attname for f in model._meta.concrete_fields], field, list(converters.items())


def get_by(model: type[M], field_name: str, value, *, for_update: bool = False) -> M | None:
    """The row of `model` whose unique `field_name` equals `value`, or None: `filter(...).first()`, cheaper;
    with `for_update`, `select_for_update().filter(...).first()` (inside a transaction)."""
    alias = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[alias]
    sql, attnames, field, converters = _select_sql(model, field_name, alias, for_update)
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
