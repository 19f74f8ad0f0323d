from django.urls import path

from .views import case

app_name = "patients"
urlpatterns = [
    # -- The case (consultation form): summary, sections, autosaved drafts, attachments (views/case.py)
    path("patients/<str:pseudonym>/case/", case.case_detail, name="case-detail"),
    path("patients/<str:pseudonym>/case/<slug:section>/", case.case_section, name="case-section"),
    path("patients/<str:pseudonym>/case/<slug:section>/draft/", case.case_draft, name="case-draft"),
    path(
        "patients/<str:pseudonym>/case/<slug:section>/draft/discard/",
        case.case_draft_discard,
        name="case-draft-discard",
    ),
    path(
        "patients/<str:pseudonym>/case/attachments/<int:attachment_id>/",
        case.case_attachment_download,
        name="case-attachment-download",
    ),
    path(
        "patients/<str:pseudonym>/case/attachments/<int:attachment_id>/remove/",
        case.case_attachment_remove,
        name="case-attachment-remove",
    ),
]
