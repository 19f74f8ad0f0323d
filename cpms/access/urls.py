from django.urls import path  # noqa: F401

from .views import validation

app_name = "access"
urlpatterns = [
    # -- Request access wizard, my requests, my access (views/wizard.py, views/mine.py)
    # -- Validation queue, decisions, grants management (views/validation.py)
    path("validation/", validation.validation_queue, name="validation-queue"),
    path("validation/<int:pk>/", validation.validation_detail, name="validation-detail"),
    path("validation/<int:pk>/approve/", validation.request_approve, name="request-approve"),
    path("validation/<int:pk>/reject/", validation.request_reject, name="request-reject"),
    path("grants/manage/", validation.grants_manage, name="grants-manage"),
    path("grants/<int:pk>/revoke/", validation.grant_revoke, name="grant-revoke"),
    path("grants/<int:pk>/renew/", validation.grant_renew, name="grant-renew"),
]
