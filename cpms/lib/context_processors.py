from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse

# The URLs that the header and footer of every page link to (templates/components/_header.html,
# base.html), as `shell_urls.<key>`: the same for everyone, so reversed once per process.
SHELL_URLS = {
    "home": "home",
    "dashboard": "clinical:dashboard",
    "my_requests": "access:my-requests",
    "my_account": "identity:my-account",
    "login": "identity:login",
    "logout": "identity:logout",
    "create_account": "identity:create-account",
    "privacy_statement": "identity:privacy-statement",
    "set_language": "set_language",
    "outbox": "outbox:outbox",
    "admin": "admin:index",
}


def site(request):
    return {"EMBEDDED": settings.EMBEDDED, "shell_urls": shell_urls()}


def shell_urls() -> dict[str, str | None]:
    """SHELL_URLS reversed (None for a name this configuration lacks, e.g. the outbox in production),
    once for each resolver (a new one after clear_url_caches() or another ROOT_URLCONF) and script
    prefix."""
    return _reversed(get_resolver(get_urlconf()), get_script_prefix())


@lru_cache(maxsize=16)
def _reversed(resolver, script_prefix: str) -> dict[str, str | None]:
    urls = {}
    for key, name in SHELL_URLS.items():
        try:
            urls[key] = reverse(name)
        except NoReverseMatch:
            urls[key] = None
    return urls
