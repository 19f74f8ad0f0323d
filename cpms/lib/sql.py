"""Hand-written SQL for the few reads that run on every request, where building the same ORM query
each time costs more than the database does, and querysets whose SQL is built once per process."""

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection, connections
from django.db.models import Field, QuerySet


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


def compiled_once(build: Callable[..., QuerySet]) -> Callable[..., list]:
    """`build(*arguments)`'s rows, with the queryset's SQL built once per process.

    Django builds and compiles a queryset on every call: for one with joins or subqueries that is
    milliseconds, a hundred times what the database needs to answer it on an index. The first call
    builds the queryset with stand-ins for the arguments, compiles it and notes where each stand-in
    sits among the SQL parameters; each call then runs that SQL with its own values through the
    ORM's own iterable, so it gets what iterating the queryset gives: model instances with their
    select_related objects and annotations (or the rows of values_list()), prefetches done.

    The arguments are ints (ids), aware datetimes and lists of ints (for `__in`; one compiled SQL
    per length), and the SQL must not depend on their values otherwise: never None, nor a
    condition built only for some values. The answer is a list, evaluated, so that no one filters a
    queryset whose SQL is already fixed.
    """
    compiled: dict[tuple, _Compiled] = {}

    def run(*arguments) -> list:
        if any(isinstance(argument, list | tuple) and not argument for argument in arguments):
            return list(build(*arguments))  # `__in` an empty list: the ORM answers without SQL
        key = (connection.vendor, *(_shape(argument) for argument in arguments))
        if key not in compiled:
            compiled[key] = _compile(build, arguments)
        return compiled[key].rows([_to_database(argument) for argument in arguments])

    return run


def _shape(argument) -> tuple:
    if isinstance(argument, list | tuple):
        return (list, len(argument))
    return (type(argument),)


def _stand_ins(argument, position: int):
    """An argument's stand-in, of its shape: values no real argument has (ids are positive, no date
    is in 1901)."""
    if isinstance(argument, list | tuple):
        return [_stand_in(item, position, n) for n, item in enumerate(argument)]
    return _stand_in(argument, position)


def _stand_in(argument, position: int, item: int = 0):
    if isinstance(argument, datetime):
        return datetime(1901, 2, 3, 4, item % 60, position, tzinfo=UTC)
    if isinstance(argument, int) and not isinstance(argument, bool):
        return -7_340_000_000 - position * 100_000 - item
    raise TypeError(f"compiled_once takes ints, datetimes and lists of ints, not {type(argument).__name__}")


def _to_database(argument) -> list:
    if isinstance(argument, list | tuple):
        return list(argument)
    if isinstance(argument, datetime):
        return [connection.ops.adapt_datetimefield_value(argument)]
    return [argument]


class _Compiled:
    """A queryset compiled with stand-ins, and where each argument's values go among its parameters."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: list, slots: list):
        self.queryset, self.compiler, self.sql = queryset, compiler, sql
        self.params, self.slots = params, slots
        # The same columns on every call, hence the same converters (for this connection's backend).
        columns = [column for column, *_ in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(columns)

    def rows(self, values: list[list]) -> list:
        slotted = zip(self.params, self.slots, strict=True)
        params = tuple(fixed if at is None else values[at[0]][at[1]] for fixed, at in slotted)
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.queryset.db]  # this thread's connection
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        if compiler.connection is self.compiler.connection:
            compiler.get_converters = lambda expressions: self.converters
        queryset = self.queryset._chain()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)


def _compile(build: Callable[..., QuerySet], arguments: tuple) -> _Compiled:
    stand_ins = [_stand_ins(argument, position) for position, argument in enumerate(arguments)]
    queryset = build(*stand_ins)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    where = {
        value: (position, item)
        for position, stand_in in enumerate(stand_ins)
        for item, value in enumerate(_to_database(stand_in))
    }
    slots = [where.get(param) for param in params]
    missing = sorted({position for position, item in set(where.values()) - set(slots)})
    if missing:
        raise ValueError(f"compiled_once: arguments {missing} do not reach the SQL as parameters")
    return _Compiled(queryset, compiler, sql, list(params), slots)
