from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import URLPattern, include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cpms.clinical.decorators import cpms_user_required
from cpms.clinical.views.front_door import landing
from cpms.coding import urls as coding_urls
from cpms.identity.decorators import require_two_factors
from cpms.identity.sessions import has_two_factors
from cpms.identity.views.oidc import DiscoveryView


def admin_login(request, extra_context=None):
    """The admin has no password form of its own: staff sign in through CPMS Login, with two factors.

    Where the admin sends those it does not let in; so this never sends anyone back to itself.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if admin.site.has_permission(request):
        return redirect(next_url)
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    # Staff, signed in with a password only: verify a second factor (or set one up), then come back.
    return require_two_factors(lambda request: redirect(next_url))(request)


def behind(decorator, urlconf):
    """`urlconf`'s patterns, each view wrapped in `decorator`: for apps below the one owning the check."""
    patterns = [
        URLPattern(p.pattern, decorator(p.callback), p.default_args, p.name) for p in urlconf.urlpatterns
    ]
    return (patterns, urlconf.app_name)


admin.site.login = admin_login
admin.site.has_permission = lambda request: (
    request.user.is_active and request.user.is_staff and has_two_factors(request)
)
admin.site.site_header = "CPMS administration"

urlpatterns = [
    path("", landing, name="home"),
    path("", include("cpms.identity.urls")),
    # OpenID Connect: the endpoints under /o/, and discovery at the issuer (SITE_URL) as the standard asks.
    path("o/", include("cpms.identity.oidc_urls")),
    path(".well-known/openid-configuration", DiscoveryView.as_view(), name="openid-configuration"),
    path("access/", include("cpms.access.urls")),
    path("cpms/", include("cpms.clinical.urls")),
    path("cpms/", include("cpms.patients.urls")),
    path("cpms/", include("cpms.panels.urls")),
    path("cpms/", include("cpms.meetings.urls")),
    path("cpms/", include("cpms.imaging.urls")),
    path("cpms/", include("cpms.reports.urls")),
    path("cpms/", include("cpms.research.urls")),
    path("api/", include("cpms.api.urls")),
    # The terminologies know no user (coding sits below identity): the CPMS gate is put on here.
    path("cpms/terms/", include(behind(cpms_user_required, coding_urls))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.EMBEDDED:
    urlpatterns.append(path("outbox/", include("cpms.outbox.urls")))
    urlpatterns.append(path("styleguide/", include("cpms.styleguide.urls")))

handler400 = "cpms.lib.errors.bad_request"
handler403 = "cpms.lib.errors.permission_denied"
handler404 = "cpms.lib.errors.page_not_found"
handler500 = "cpms.lib.errors.server_error"
