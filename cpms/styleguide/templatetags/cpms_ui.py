"""Template helpers of the design system's components (templates/components/).

Formatting only: which errors a page shows and where each one links, and the shell's fragments kept
once rendered. No business logic here.
"""

from dataclasses import dataclass

from django import forms, template
from django import forms as django_forms
from django.forms.formsets import BaseFormSet

from cpms.styleguide import fragments

register = template.Library()

GROUPED_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@dataclass(frozen=True)
class ErrorItem:
    text: str
    anchor: str  # the id of the field to focus, "" when there is none
    field: str = ""


def _anchor(bound: forms.BoundField) -> str:
    if not bound.auto_id:
        return ""
    if isinstance(bound.field.widget, GROUPED_WIDGETS):
        return f"{bound.auto_id}_0"  # the first radio or checkbox of the group
    return bound.id_for_label or bound.auto_id


def _form_errors(form: forms.BaseForm) -> list[ErrorItem]:
    visible = form.visible_fields()
    first_anchor = _anchor(visible[0]) if visible else ""
    items = [ErrorItem(str(error), first_anchor) for error in form.non_field_errors()]
    for bound in form:
        for error in bound.errors:
            label = bound.label if not bound.is_hidden else ""
            text = f"{label}: {error}" if label else str(error)
            items.append(ErrorItem(text, "" if bound.is_hidden else _anchor(bound), bound.html_name))
    return items


def _forms_in(value) -> list[forms.BaseForm]:
    # type(), not isinstance(): isinstance() would evaluate a lazy object (the side navigation's query).
    if issubclass(type(value), forms.BaseForm):
        return [value]
    if issubclass(type(value), BaseFormSet):
        return list(value.forms)
    return []


def _has_errors(form: forms.BaseForm) -> bool:
    return form.is_bound and bool(form.errors)


@register.simple_tag(takes_context=True)
def forms_with_errors(context) -> list[forms.BaseForm]:
    """Every bound form of the page's context that has errors, once each, in context order.

    base.html calls it: a page whose view passes a form gets the error summary and the
    "Error:" title prefix without a line of its own.
    """
    found: dict[int, forms.BaseForm] = {}
    for value in context.flatten().values():
        for form in _forms_in(value):
            if _has_errors(form):
                found.setdefault(id(form), form)
    return list(found.values())


@register.simple_tag
def error_items(form=None, forms=None) -> list[ErrorItem]:
    """The lines of the error summary: one per error, each pointing at its field."""
    candidates = [*(forms or []), form]
    every = {id(each): each for each in candidates if isinstance(each, django_forms.BaseForm)}
    items: list[ErrorItem] = []
    for each in every.values():
        if _has_errors(each):
            items.extend(_form_errors(each))
    return items


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist, self.vary_on = nodelist, vary_on

    def render(self, context):
        def render_with_stand_ins() -> str:
            with context.push(csrf_token=fragments.CSRF_STAND_IN, next_path=fragments.PATH_STAND_IN):
                return self.nodelist.render(context)

        request = context.get("request")
        # Where the block is, and this parse of it (a template edited and read again is a new node).
        where = (self.origin.name, self.token.position, id(self))
        return fragments.fragment(  # a node's output is HTML already: nothing escapes it again
            where,
            tuple(value.resolve(context) for value in self.vary_on),
            render_with_stand_ins,
            csrf_token=context.get("csrf_token"),
            path=request.get_full_path() if request is not None else "",
        )


@register.tag
def cached_fragment(parser, token):
    """`{% cached_fragment value… %}…{% endcached_fragment %}`: the block rendered once for each
    language and set of values, then reused (cpms/styleguide/fragments.py). Name every value the block
    depends on; inside it, the CSRF token and `{{ next_path }}` (the page's path) are this request's."""
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    return CachedFragmentNode(nodelist, vary_on)
