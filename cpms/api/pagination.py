"""Keyset pagination for the API: `?after=<cursor>` (and `before`), never an offset.

The cursors are those of the pages (cpms.access.queries.pages, or a row's id for the lists ordered
by id), so a deep page costs what the first does; anything that is not a cursor reads the first
page, never a 500. A response carries `next` and `previous` as whole URLs (null at the ends).
"""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.response import Response

DEFAULT_SIZE = 25
MAX_SIZE = 100


def page_size(request) -> int:
    value = request.query_params.get("size", "")
    if value.isdigit() and len(value) < 4:
        return max(1, min(int(value), MAX_SIZE))
    return DEFAULT_SIZE


def link(request, **cursor) -> str | None:
    if not any(cursor.values()):
        return None
    params = {k: v for k, v in request.query_params.items() if k not in ("after", "before")}
    params.update({k: v for k, v in cursor.items() if v})
    return request.build_absolute_uri(request.path + "?" + urlencode(params))


def page_response(request, page, results) -> Response:
    """A KeysetPage (rows, next_cursor, previous_cursor) as `{"results", "next", "previous"}`."""
    return Response(
        {
            "results": results,
            "next": link(request, after=page.next_cursor),
            "previous": link(request, before=page.previous_cursor),
        }
    )


def paginated(item_serializer) -> serializers.Serializer:
    """The schema of a page of `item_serializer` rows (for the OpenAPI document)."""
    name = item_serializer.__name__.removesuffix("Serializer") + "Page"
    fields = {
        "results": item_serializer(many=True),
        "next": serializers.URLField(allow_null=True, help_text=_("The next page, null on the last.")),
        "previous": serializers.URLField(allow_null=True, help_text=_("The page before, null on the first.")),
    }
    return type(name, (serializers.Serializer,), fields)
