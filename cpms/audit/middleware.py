import ipaddress

from django.conf import settings

from .context import current_ip


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The visitor's IP address, for the audit trail and the per-IP throttles.

    Behind TRUSTED_PROXY_COUNT reverse proxies, REMOTE_ADDR is the nearest proxy, the same for
    everyone. Each proxy appends the address it was reached from to X-Forwarded-For, so the entry
    that many places from the end is the visitor's, written by our outermost proxy; the entries
    before it come from the visitor and prove nothing.
    """
    if proxies := settings.TRUSTED_PROXY_COUNT:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= proxies and (address := _ip(forwarded[-proxies])):
            return address
    return _ip(request.META.get("REMOTE_ADDR", ""))


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
