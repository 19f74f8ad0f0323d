"""The one exception to "a signed-in page is never kept" (cpms.lib.middleware.NoStoreWhenSignedIn-
Middleware): an instance's DICOM bytes may stay in the browser's own cache, to be asked for again
on every use.

The choice (issue 13): `Cache-Control: private, no-cache` with a strong ETag (the SHA-256 of the
stored file), rather than a max-age. The browser keeps the bytes (private: no shared cache), but
revalidates each time it needs them; the endpoint checks the user's right on every request and
answers 304, with no body and no read from the image store, only to someone who may still see the
study. A cached response never outlives the permission, not even for a max-age: a member removed
from the panel gets 404 at the next slice. What is saved is the transfer and the store's read.

A view opts in by setting `response.revalidated_cache_control`; this middleware sits just outside
NoStoreWhenSignedInMiddleware (config/settings.py, imaging section) and puts that value in place of
the no-store the inner one added. Nothing else is touched.
"""

ATTRIBUTE = "revalidated_cache_control"


class RevalidatedImageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(response, ATTRIBUTE, None)
        if value:
            response.headers["Cache-Control"] = value
            response.headers.pop("Expires", None)
        return response
