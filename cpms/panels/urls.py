from django.urls import path

from .views import panels, requests

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
    # -- requests and triage (views/requests.py)
    path("panels/new/<str:pseudonym>/", requests.panel_request, name="panel-request"),
    path("panels/<int:panel>/edit/", requests.panel_edit, name="panel-edit"),
    path("panels/<int:panel>/discard/", requests.panel_discard, name="panel-discard"),
    path("panels/<int:panel>/submit/", requests.panel_submit, name="panel-submit"),
    path("panels/<int:panel>/answer/", requests.panel_answer, name="panel-answer"),
    path("panels/requests/", requests.request_queue, name="request-queue"),
    path("panels/<int:panel>/triage/", requests.panel_triage, name="panel-triage"),
    path("panels/<int:panel>/case/", requests.panel_case, name="panel-case"),
]
