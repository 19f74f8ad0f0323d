"""The URL walk shared by the access matrices (cpms/<app>/tests/test_access_matrix.py) and test_url_walk.

Each matrix finds the patterns of its namespace by walking the URL configuration (so pages added later
are covered too), fills their arguments with its own objects and requests each one with every method.
"""

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None, str]]:
    """(namespace, name, route) of every pattern, at any depth: ("panels:", "panel-detail", …)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def all_patterns() -> list[tuple[str | None, str]]:
    """(namespaced name, or None for a pattern with no name, route) of every pattern of the site."""
    found = {
        (f"{namespace}{name}" if name else None, route)
        for namespace, name, route in walk(get_resolver().url_patterns)
    }
    return sorted(found, key=lambda p: (p[0] or "", p[1]))


def namespace_patterns(namespace: str) -> list[tuple[str, str]]:
    """(name, route) of every pattern of `namespace` ("panels") and the namespaces inside it, sorted."""
    found = {
        (f"{inner}{name}", route)
        for inner, name, route in walk(get_resolver().url_patterns)
        if inner.startswith(f"{namespace}:")
    }
    return sorted(found)


def url_for(route: str, values: dict) -> str:
    """The route with the matrix's objects (`values`, by argument name); any other argument a sample."""

    def argument(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        return "1" if converter == "int" else "sample"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", argument, route)


def requests(client, patterns, values: dict):
    """(name, route, url, method, response) of every pattern × every method, as `client`."""
    for name, route in patterns:
        url = url_for(route, values)
        for method in METHODS:
            yield name, route, url, method, getattr(client, method)(url)
