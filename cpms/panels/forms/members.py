"""Forms of the members tab, the experts directory and expert groups. Every field is hostile input:
an id that names nothing is an error of the form (a message and a 400), never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.access.models import OrganisationNode
from cpms.clinical.models import ThematicArea
from cpms.lib.forms import StyledFormMixin

from ..models import ExpertGroup
from ..queries.experts import ExpertFilter, experts, filter_experts


class InviteMemberForm(forms.Form):
    user = forms.IntegerField(min_value=1, max_value=2**63 - 1, label=_("Expert"))


class InviteGroupForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=ExpertGroup.objects.select_related("ern"), label=_("Expert group"), empty_label=None
    )


class InviteAreaForm(forms.Form):
    area = forms.ModelChoiceField(
        queryset=ThematicArea.objects.select_related("ern"), label=_("Thematic area"), empty_label=None
    )


class InvitationAnswerForm(StyledFormMixin, forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(
        choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Why do you decline?"),
        help_text=_("The panel lead reads it: for example, another expert who would be better placed."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why you decline: the panel lead reads it."))
        return data


class ExpertSearchForm(StyledFormMixin, forms.Form):
    """The directory's filters; an unknown choice is an error, an empty form lists everyone."""

    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    ern = forms.ModelChoiceField(
        queryset=OrganisationNode.objects.filter(kind=OrganisationNode.Kind.ERN),
        label=_("ERN"),
        required=False,
        empty_label=_("Any ERN"),
    )
    centre = forms.ModelChoiceField(
        queryset=OrganisationNode.objects.filter(kind=OrganisationNode.Kind.INSTITUTION),
        label=_("Centre"),
        required=False,
        widget=forms.HiddenInput,
    )
    area = forms.ModelChoiceField(
        queryset=ThematicArea.objects.select_related("ern"),
        label=_("Thematic area"),
        required=False,
        empty_label=_("Any thematic area"),
    )
    group = forms.ModelChoiceField(
        queryset=ExpertGroup.objects.select_related("ern"),
        label=_("Expert group"),
        required=False,
        empty_label=_("Any expert group"),
    )
    centre_code = forms.CharField(label=_("Centre code"), max_length=40, required=False)

    def filters(self) -> ExpertFilter:
        if not self.is_valid():
            return ExpertFilter()
        data = self.cleaned_data
        centre = data.get("centre")
        if centre is None and data.get("centre_code"):
            centre = (
                OrganisationNode.objects.filter(
                    kind=OrganisationNode.Kind.INSTITUTION, code__iexact=data["centre_code"].strip()
                )
                .order_by("pk")
                .first()
            )
            if centre is None:
                return ExpertFilter(name=data["q"], centre_id=-1)
        return ExpertFilter(
            name=data["q"],
            ern_id=data["ern"].pk if data.get("ern") else None,
            centre_id=centre.pk if centre else None,
            area_id=data["area"].pk if data.get("area") else None,
            group_id=data["group"].pk if data.get("group") else None,
        )


class ExpertGroupForm(StyledFormMixin, forms.ModelForm):
    """A group of the ERN's experts: its name, its thematic area, its members."""

    members = forms.ModelMultipleChoiceField(
        queryset=experts().none(), label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ExpertGroup
        fields = ["name", "thematic_area", "members"]

    def __init__(self, *args, ern: OrganisationNode, **kwargs):
        super().__init__(*args, **kwargs)
        self.ern = ern
        self.fields["name"].max_length = 200
        self.fields["thematic_area"].queryset = ThematicArea.objects.filter(ern=ern)
        self.fields["thematic_area"].required = False
        self.fields["members"].queryset = filter_experts(experts(), ExpertFilter(ern_id=ern.pk)).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["members"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the group a name."))
        taken = ExpertGroup.objects.filter(ern=self.ern, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This ERN has a group of this name already."))
        return name
