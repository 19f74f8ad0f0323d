from django.urls import path

from .views import experts, members, panels

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
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
