from django.urls import path

from .views import dashboards, discussion, experts, members, notifications, outcome, panels, requests

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
    # -- outcome, close and archive (views/outcome.py)
    path("panels/<int:panel>/outcome/", outcome.panel_outcome, name="panel-outcome"),
    path("panels/<int:panel>/outcome/compare/", outcome.outcome_compare, name="outcome-compare"),
    path("panels/<int:panel>/outcome/submit/", outcome.outcome_submit, name="outcome-submit"),
    path("panels/<int:panel>/outcome/signoff/", outcome.outcome_signoff, name="outcome-signoff"),
    path("panels/<int:panel>/outcome/letter/", outcome.outcome_letter, name="outcome-letter"),
    path("panels/<int:panel>/close/", outcome.panel_close, name="panel-close"),
    path(
        "panels/<int:panel>/send-to-research/", outcome.panel_send_to_research, name="panel-send-to-research"
    ),
    path("panels/<int:panel>/archive/", outcome.panel_archive, name="panel-archive"),
    # -- notifications (views/notifications.py)
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/<int:notification>/", notifications.notification_open, name="notification-open"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", notifications.notification_settings, name="notification-settings"),
    # -- dashboards (views/dashboards.py)
    path("panels/", dashboards.my_panels, name="my-panels"),
    path("panels/ern/<int:ern>/", dashboards.ern_dashboard, name="ern-dashboard"),
    path("panels/centre/<int:centre>/", dashboards.centre_panels, name="centre-panels"),
    # -- requests and triage (views/requests.py)
    path("panels/new/<str:pseudonym>/", requests.panel_request, name="panel-request"),
    path("panels/<int:panel>/edit/", requests.panel_edit, name="panel-edit"),
    path("panels/<int:panel>/discard/", requests.panel_discard, name="panel-discard"),
    path("panels/<int:panel>/submit/", requests.panel_submit, name="panel-submit"),
    path("panels/<int:panel>/answer/", requests.panel_answer, name="panel-answer"),
    path("panels/requests/", requests.request_queue, name="request-queue"),
    path("panels/<int:panel>/triage/", requests.panel_triage, name="panel-triage"),
    path("panels/<int:panel>/case/", requests.panel_case, name="panel-case"),
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
    # -- members, invitations (views/members.py)
    path("panels/<int:panel>/members/", members.panel_members, name="panel-members"),
    path("panels/<int:panel>/members/invite/", members.member_invite, name="member-invite"),
    path("panels/<int:panel>/members/invite-group/", members.member_invite_group, name="member-invite-group"),
    path("panels/<int:panel>/members/invite-area/", members.member_invite_area, name="member-invite-area"),
    path("panels/<int:panel>/members/<int:membership>/remove/", members.member_remove, name="member-remove"),
    path("panels/<int:panel>/invitation/", members.invitation_answer, name="invitation-answer"),
    # -- the experts directory and expert groups (views/experts.py)
    path("experts/", experts.expert_list, name="expert-list"),
    path("experts/<int:user>/", experts.expert_detail, name="expert-detail"),
    path("experts/groups/", experts.expert_group_list, name="expert-group-list"),
    path("experts/groups/new/", experts.expert_group_create, name="expert-group-create"),
    path("experts/groups/<int:group>/", experts.expert_group_detail, name="expert-group-detail"),
    path("experts/groups/<int:group>/edit/", experts.expert_group_edit, name="expert-group-edit"),
    path("experts/groups/<int:group>/delete/", experts.expert_group_delete, name="expert-group-delete"),
]
