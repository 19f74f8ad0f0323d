"""The page shell's fragments (header, footer, side navigation), rendered once for each set of the
values they depend on, and reused.

Django's template engine spends about a microsecond per node; the shell has a few hundred and is
drawn on every page, which made it the largest fixed cost of a page after the middleware. A
fragment's HTML is kept in this process, keyed by the template node, the language, the URL
configuration and the values the template names (`{% cached_fragment user.pk app %}`). Two values
differ on every request and are never part of what is kept: the CSRF token and the path of the
page (for the `next` of the language and sign-out forms). The fragment is rendered with
stand-ins for them, and each request's own values, escaped, replace the stand-ins.
"""

import threading
from collections import OrderedDict

from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.translation import get_language

# Stand-ins that escaping leaves alone and no page contains.
CSRF_STAND_IN = "cpms-fragment-csrf-7d1f0c"
PATH_STAND_IN = "cpms-fragment-path-7d1f0c"
MAX_FRAGMENTS = 2000  # a few kilobytes each

_kept: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def fragment(where: tuple, vary_on: tuple, render, *, csrf_token, path) -> str:
    """The fragment's HTML for these values, rendered by `render()` the first time (it must use the
    stand-ins for the CSRF token and the path), with this request's token and path in it."""
    key = (*where, get_language(), get_urlconf(), get_script_prefix(), *vary_on)
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
    if html is None:
        html = render()
        with _lock:
            _kept[key] = html
            while len(_kept) > MAX_FRAGMENTS:
                _kept.popitem(last=False)
    token = "" if csrf_token is None else escape(str(csrf_token))
    return html.replace(CSRF_STAND_IN, token).replace(PATH_STAND_IN, escape(str(path)))
