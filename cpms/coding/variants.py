"""Variant descriptions in HGVS, checked by tinyhgvs (a parser, microseconds per description)."""

import tinyhgvs
from django.utils.translation import gettext as _


def hgvs_problem(description: str) -> str | None:
    """None if the description is valid HGVS syntax; otherwise what is wrong, to show the user."""
    description = description.strip()
    if not description:
        return _("Enter the variant in HGVS, for example NM_000088.3:c.589G>T.")
    try:
        tinyhgvs.parse_hgvs(description)
    except tinyhgvs.TinyHGVSError:
        return _("This is not a valid HGVS description. For example: NM_000088.3:c.589G>T.")
    return None
