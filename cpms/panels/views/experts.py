"""The experts directory and expert groups: everyone in CPMS reads them (counts of panels, never a
panel); the coordinators of an ERN manage its groups."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.access.models import OrganisationNode
from cpms.clinical.decorators import cpms_user_required

from ..actions.members import do_change_expert_group, do_create_expert_group, do_delete_expert_group
from ..forms.members import ExpertGroupForm, ExpertSearchForm
from ..queries.experts import (
    coordinated_ern_ids,
    get_expert,
    get_expert_group,
    group_members,
    list_expert_groups,
    list_experts,
)


@cpms_user_required
@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    search = ExpertSearchForm(request.GET or None)
    page = list_experts(
        search.filters(), after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    status = 400 if search.is_bound and not search.is_valid() else 200
    return render(request, "panels/expert_list.html", {"search": search, "page": page}, status=status)


@cpms_user_required
@require_GET
def expert_detail(request: HttpRequest, user: int) -> HttpResponse:
    return render(request, "panels/expert_detail.html", {"expert": get_expert(user)})


@cpms_user_required
@require_GET
def expert_group_list(request: HttpRequest) -> HttpResponse:
    coordinated = coordinated_ern_ids(request)
    context = {
        "groups": list_expert_groups(),
        "coordinated": coordinated,
        "erns": OrganisationNode.objects.filter(pk__in=coordinated).order_by("code"),
    }
    return render(request, "panels/expert_group_list.html", context)


def coordinated_ern(request) -> OrganisationNode:
    """The ERN named by ?ern= (or the only one the user coordinates); 403 for anyone else."""
    coordinated = coordinated_ern_ids(request)
    wanted = (
        request.POST.get("ern") or request.GET.get("ern") or (coordinated[0] if len(coordinated) == 1 else "")
    )
    if not str(wanted).isdigit() or int(wanted) not in coordinated:
        raise PermissionDenied
    return get_object_or_404(OrganisationNode, pk=int(wanted), kind=OrganisationNode.Kind.ERN)


@cpms_user_required
@require_http_methods(["GET", "POST"])
def expert_group_create(request: HttpRequest) -> HttpResponse:
    ern = coordinated_ern(request)
    form = ExpertGroupForm(request.POST or None, ern=ern)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = do_create_expert_group(
            acting_user=request.user,
            ern=ern,
            name=data["name"],
            thematic_area=data["thematic_area"],
            members=list(data["members"]),
        )
        messages.success(request, _("Expert group created."))
        return redirect("panels:expert-group-detail", group.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "panels/expert_group_create.html", {"form": form, "ern": ern}, status=status)


@cpms_user_required
@require_GET
def expert_group_detail(request: HttpRequest, group: int) -> HttpResponse:
    found = get_expert_group(group)
    context = {
        "group": found,
        "members": group_members(found),
        "may_manage": found.ern_id in coordinated_ern_ids(request),
    }
    return render(request, "panels/expert_group_detail.html", context)


def managed_group(request, group_id) -> object:
    group = get_expert_group(group_id)
    if group.ern_id not in coordinated_ern_ids(request):
        raise PermissionDenied
    return group


@cpms_user_required
@require_http_methods(["GET", "POST"])
def expert_group_edit(request: HttpRequest, group: int) -> HttpResponse:
    found = managed_group(request, group)
    form = ExpertGroupForm(request.POST or None, instance=found, ern=found.ern)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_change_expert_group(
            acting_user=request.user,
            group=found,
            name=data["name"],
            thematic_area=data["thematic_area"],
            members=list(data["members"]),
        )
        messages.success(request, _("Expert group saved."))
        return redirect("panels:expert-group-detail", found.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "panels/expert_group_edit.html", {"form": form, "group": found}, status=status)


@cpms_user_required
@require_POST
def expert_group_delete(request: HttpRequest, group: int) -> HttpResponse:
    found = managed_group(request, group)
    do_delete_expert_group(acting_user=request.user, group=found)
    messages.success(request, _("Expert group deleted."))
    return redirect("panels:expert-group-list")
