"""Hand-written SQL for the few reads that run on every request, where building the same ORM query
each time costs more than the database does, and querysets whose SQL is built once per process."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet
from django.db.models.query import RawQuerySet


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def converter(field: Field) -> Callable[[Any], Any]:
    """What the ORM does to a value of `field` read from the database (SQLite's datetimes are text)."""
    column = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    def convert(value):
        for function in converters:
            value = function(value, column, connection)
        return value

    return convert


# -- querysets compiled once


def compiled_once(build: Callable[..., QuerySet]) -> Callable[..., RawQuerySet]:
    """`build(*arguments)`'s queryset with the SQL built once per process.

    Django builds and compiles a queryset on every call: for one with a few subqueries that is
    milliseconds, a hundred times what the database needs to answer it on an index. The first call
    builds the queryset with stand-ins for the arguments, compiles it and notes where each stand-in
    sits among the SQL parameters; each call then runs that SQL with its own values through raw(),
    so it gets the same model instances (annotations as attributes).

    The arguments are ints (ids) and aware datetimes, and the SQL must not depend on their values:
    equality and comparisons, never a list (`__in`) or None built from an argument.
    """
    compiled: dict[tuple, tuple] = {}

    def run(*arguments) -> RawQuerySet:
        key = (connection.vendor, *(type(argument) for argument in arguments))
        if key not in compiled:
            compiled[key] = _compile(build, arguments)
        model, sql, template, slots = compiled[key]
        values = [_to_database(argument) for argument in arguments]
        params = [fixed if at is None else values[at] for fixed, at in zip(template, slots, strict=True)]
        return model._base_manager.raw(sql, params)

    return run


def _stand_in(argument, position: int):
    if isinstance(argument, datetime):
        return datetime(1901, 2, 3, 4, 5, position, tzinfo=UTC)
    if isinstance(argument, int) and not isinstance(argument, bool):
        return -7_340_000_000 - position  # no id is negative
    raise TypeError(f"compiled_once takes ints and datetimes, not {type(argument).__name__}")


def _to_database(argument):
    if isinstance(argument, datetime):
        return connection.ops.adapt_datetimefield_value(argument)
    return argument


def _compile(build: Callable[..., QuerySet], arguments: tuple) -> tuple:
    stand_ins = [_stand_in(argument, position) for position, argument in enumerate(arguments)]
    queryset = build(*stand_ins)
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    in_database = [_to_database(stand_in) for stand_in in stand_ins]
    slots = [next((n for n, value in enumerate(in_database) if value == param), None) for param in params]
    missing = set(range(len(arguments))) - set(slots)
    if missing:
        raise ValueError(f"compiled_once: arguments {sorted(missing)} do not reach the SQL as parameters")
    return queryset.model, sql, list(params), slots
