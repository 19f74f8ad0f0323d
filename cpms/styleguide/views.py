"""The style guide (/styleguide/, embedded default only): every component with its include tag."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .forms import CONSENT_FORM_CHECK, SampleForm, SampleTerminologyForm, SampleUploadForm


@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    here = reverse("styleguide:styleguide")
    failed = SampleForm({"job_title": "", "urgency": "", "agree": ""})
    failed.is_valid()
    return render(
        request,
        "styleguide/styleguide.html",
        {
            # Not at the top level: a failed form there would make this an error page.
            "samples": {
                "failed_form": failed,
                "form": SampleForm(),
                "upload_form": SampleUploadForm(),
                "terminology_form": SampleTerminologyForm(),
                "max_upload_bytes": CONSENT_FORM_CHECK.max_bytes,
                "page": Paginator(range(95), 10).get_page(3),
                "breadcrumbs": [(_("Dashboard"), here), (_("Panels"), here), (_("Panel 2026-0042"), None)],
                "tabs": [(_("Access requests"), here), (_("Manage access"), here + "?tab=grants")],
                "rows": [
                    ("Nora Keller", "DE22", _("Waiting for validation")),
                    ("Erik Berg", "DE05", _("Approved")),
                ],
            },
            "palette": [
                ("primary", "#0b4f8a", "8.40:1"),
                ("header", "#0b3d66", "11.21:1"),
                ("ink", "#1d2530", "15.45:1"),
                ("muted", "#5c6670", "5.85:1"),
                ("success", "#1e6b34", "6.55:1"),
                ("danger", "#b42318", "6.57:1"),
                ("warning", "#8a4b00", "6.80:1"),
                ("info", "#0e5f7a", "7.15:1"),
            ],
        },
    )
