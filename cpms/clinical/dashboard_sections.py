"""Sections that the apps above clinical add to the CPMS dashboard (panels: "My panels and invitations").

Clinical may not import them (import-linter's layers), so they register here from their
AppConfig.ready(): a provider takes the request and returns a section (a template and its context),
or None when it has nothing to show for this user. The dashboard draws them in the order registered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class DashboardSection:
    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[[HttpRequest], DashboardSection | None]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once: registering the same function again changes nothing)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(request: HttpRequest) -> list[DashboardSection]:
    return [section for provider in _providers if (section := provider(request)) is not None]
