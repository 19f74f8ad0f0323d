"""Hand-written SQL for the few reads that run on every request, where building the same ORM query
each time costs more than the database does."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Field


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
