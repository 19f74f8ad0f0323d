"""Every write on a panel: `do_<verb>_<noun>(*, acting_user, …)`, atomic, checked, audited, notified.

The shared steps live here: lock the panel row, re-check its state, refuse with a message the page
can show. Each area has its module (requests, members, discussion, outcome).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Panel


class PanelActionRefused(Exception):
    """A transition the panel's state or the user's place does not allow; `message` says why, for the page."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def lock_panel(panel: Panel) -> Panel:
    """The panel row, locked for the transaction and read afresh (another request may have moved it)."""
    return Panel.objects.unscoped().select_for_update().get(pk=panel.pk)


def require_status(panel: Panel, *statuses: str) -> None:
    if panel.status not in statuses:
        raise PanelActionRefused(
            _("This panel is %(status)s: it cannot do that now.") % {"status": panel.get_status_display()}
        )


def touch(panel: Panel, *fields: str) -> None:
    """Save these fields and the panel's `updated_at` (the dashboards sort on it)."""
    panel.updated_at = timezone.now()
    panel.save(update_fields=[*fields, "updated_at"])
