from django.urls import path

from .views import mine, validation, wizard

app_name = "access"
urlpatterns = [
    # -- Request access wizard, my requests, my access (views/wizard.py, views/mine.py)
    path("request/", wizard.request_application, name="request-application"),
    path("request/organisation/", wizard.request_organisation, name="request-organisation"),
    path(
        "request/organisation/<int:pk>/",
        wizard.request_organisation_details,
        name="request-organisation-details",
    ),
    path("request/profile/", wizard.request_profile, name="request-profile"),
    path("request/recap/", wizard.request_recap, name="request-recap"),
    path("request/thanks/", wizard.request_thanks, name="request-thanks"),
    path("my-requests/", mine.my_requests, name="my-requests"),
    path("my-requests/<int:pk>/withdraw/", mine.request_withdraw, name="request-withdraw"),
    path("my-access/", mine.my_access, name="my-access"),
    # -- Validation queue, decisions, grants management (views/validation.py)
    path("validation/", validation.validation_queue, name="validation-queue"),
    path("validation/<int:pk>/", validation.validation_detail, name="validation-detail"),
    path("validation/<int:pk>/approve/", validation.request_approve, name="request-approve"),
    path("validation/<int:pk>/reject/", validation.request_reject, name="request-reject"),
    path("grants/manage/", validation.grants_manage, name="grants-manage"),
    path("grants/<int:pk>/revoke/", validation.grant_revoke, name="grant-revoke"),
    path("grants/<int:pk>/renew/", validation.grant_renew, name="grant-renew"),
]
