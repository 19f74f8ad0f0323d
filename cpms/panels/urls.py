from django.urls import path

from .views import discussion, panels

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
    # -- discussion (views/discussion.py)
    path("panels/<int:panel>/discussion/", discussion.panel_discussion, name="panel-discussion"),
    path("panels/<int:panel>/discussion/contribute/", discussion.contribution_add, name="contribution-add"),
    path(
        "panels/<int:panel>/discussion/information/",
        discussion.information_request,
        name="information-request",
    ),
    path(
        "panels/<int:panel>/discussion/information/<int:contribution>/answer/",
        discussion.information_answer,
        name="information-answer",
    ),
    path(
        "panels/<int:panel>/discussion/attachments/<int:attachment>/",
        discussion.contribution_attachment,
        name="contribution-attachment",
    ),
]
