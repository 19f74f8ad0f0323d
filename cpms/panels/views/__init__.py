"""The panel pages, one module per area. Views are short: check the input, call one query or action,
render or redirect. A transition the panel's state refuses comes back to the page with its message."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from ..actions import PanelActionRefused


def refused(
    request, panel, error: PanelActionRefused, to: str = "panels:panel-detail"
) -> HttpResponseRedirect:
    """Back to the panel's page (or `to`), saying why the step could not be taken."""
    messages.error(request, error.message)
    return redirect(to, panel.pk)
