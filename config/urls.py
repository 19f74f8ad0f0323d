from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="identity:my-account", permanent=False), name="home"),
    path("", include("cpms.identity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.EMBEDDED:
    urlpatterns.append(path("outbox/", include("cpms.outbox.urls")))

handler400 = "cpms.lib.errors.bad_request"
handler403 = "cpms.lib.errors.permission_denied"
handler404 = "cpms.lib.errors.page_not_found"
handler500 = "cpms.lib.errors.server_error"
