"""Error pages in the site's own layout; never a stack trace."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # Django treats it as a bad request: it is a 413
        return request_too_large(request, exception)
    return render(request, "errors/400.html", status=400)


def request_too_large(request, exception=None):
    """The body passed DATA_UPLOAD_MAX_MEMORY_SIZE (or an upload its own limit)."""
    return render(request, "errors/413.html", status=413)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: most often a page left open across a sign-in or sign-out."""
    return render(request, "errors/403_csrf.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Without the request: no context processors, no database, nothing more that can fail.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
