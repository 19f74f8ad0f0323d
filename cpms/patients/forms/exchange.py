from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import FileCheck, StyledFormMixin

from ..exchange.importing import MAX_BYTES

IMPORT_CHECK = FileCheck(max_bytes=MAX_BYTES, extensions=(".json",))


class CaseImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Phenopacket or FHIR Bundle (JSON)"),
        help_text=_(
            "A GA4GH Phenopacket v2 or a FHIR R4 Bundle, as exported by a hospital system or by CPMS."
        ),
        validators=[IMPORT_CHECK],
        widget=forms.ClearableFileInput(attrs={"accept": IMPORT_CHECK.accept}),
    )


class ConfirmImportForm(StyledFormMixin, forms.Form):
    """The confirmation: nothing to fill in, the POST itself is the decision (CSRF-protected)."""
