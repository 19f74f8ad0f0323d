import ipaddress

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cpms.audit.middleware import client_ip

from .models import OutboxMessage


def on_this_machine(request) -> bool:
    """The visitor is on loopback: the person running the embedded default, not someone on the network.

    client_ip follows TRUSTED_PROXY_COUNT, so a visitor reaching us through a proxy is not mistaken
    for the proxy's own loopback address.
    """
    address = client_ip(request)
    return address is not None and ipaddress.ip_address(address).is_loopback


@never_cache  # sign-up links and codes: never kept by the browser
def outbox(request):
    """Every e-mail and SMS of the embedded default, newest first: sign-up links and codes for anyone
    who sees them, so only in the embedded default and only to this machine (404 otherwise)."""
    if not settings.EMBEDDED or not on_this_machine(request):
        raise Http404
    page = Paginator(OutboxMessage.objects.all(), 25).get_page(request.GET.get("page"))
    return render(request, "outbox/outbox.html", {"page": page})
