"""Claims that other apps add to OpenID Connect tokens, per scope.

Identity must not import the apps that depend on it (audit ← identity ← access), so an app that
owns a scope's data registers a function here from its AppConfig.ready(), e.g. access:

    register_scope_claims("cpms", grants_claims, claims=["cpms_grants"])

The function receives the user and returns a dict of claims; it is called for the ID token and
for userinfo when the token carries the scope.
"""

from collections.abc import Callable
from dataclasses import dataclass

ClaimsFunction = Callable[[object], dict]


@dataclass(frozen=True)
class ScopeClaims:
    scope: str
    claims: tuple[str, ...]
    function: ClaimsFunction


_registry: dict[str, ScopeClaims] = {}


def register_scope_claims(scope: str, function: ClaimsFunction, *, claims: list[str]) -> None:
    """Let `function(user)` add `claims` to tokens with `scope` (one function per scope)."""
    _registry[scope] = ScopeClaims(scope=scope, claims=tuple(claims), function=function)


def claims_for(user, scopes) -> dict:
    found = {}
    for scope in scopes:
        if entry := _registry.get(scope):
            found.update(entry.function(user))
    return found


def registered_claim_names() -> list[str]:
    return [name for entry in _registry.values() for name in entry.claims]
