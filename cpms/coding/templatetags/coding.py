"""{% load coding %}{% terminology_releases %}: the footer of a coded form, naming the loaded releases."""

from django import template

from ..queries import loaded_releases

register = template.Library()


@register.inclusion_tag("coding/_releases.html")
def terminology_releases():
    return {"releases": loaded_releases()}
