"""ETags on detail reads, and `If-Match` on every update (optimistic concurrency).

The ETag is a digest of the representation itself: whatever changes what a caller reads changes
it. A GET with a matching `If-None-Match` gets 304; an update without `If-Match` gets 428, with one
that no longer matches 412, so that nobody overwrites a change they have not seen.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.response import Response

from .errors import PreconditionFailed, PreconditionRequired


def etag_of(data) -> str:
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def listed(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def detail_response(request, data, **kwargs) -> Response:
    """200 with the data and its ETag, or 304 when the caller already holds this version."""
    etag = etag_of(data)
    if etag in listed(request.headers.get("If-None-Match", "")):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(data, headers={"ETag": etag}, **kwargs)


def require_if_match(request, current) -> None:
    """`current`: the representation the caller must have read (as detail_response sent it)."""
    header = request.headers.get("If-Match", "")
    if not header.strip():
        raise PreconditionRequired
    tags = listed(header)
    if "*" not in tags and etag_of(current) not in tags:
        raise PreconditionFailed
