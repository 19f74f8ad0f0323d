"""The desk's filter widgets are built in Python: the HTML must stay Django's own."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from cpms.access.forms_validation import FilterSearchInput, FilterSelect

CHOICES = [
    ("", "All my ERNs"),
    (3, "ERN-RND - <Neuro> & co"),
    (5, 'Say "hi"'),
    ("all", gettext_lazy("All statuses")),
]
ATTRS = {
    "class": "form-select is-invalid",
    "id": "id_ern",
    "aria-invalid": "true",
    "data-x": True,
    "off": False,
}


@pytest.mark.parametrize("value", [None, "", 3, "5", "missing", ["3", "5"]])
def test_it_renders_a_select_as_django_does(value):
    ours = FilterSelect(choices=CHOICES).render("ern", value, attrs=ATTRS)
    django = forms.Select(choices=CHOICES).render("ern", value, attrs=ATTRS, renderer=DjangoTemplates())
    assert ours == django
    assert "<option" in ours


@pytest.mark.parametrize("value", [None, "", "alice", '<b>"x"</b> & y'])
def test_it_renders_a_search_input_as_django_does(value):
    attrs = {
        "type": "search",
        "placeholder": gettext_lazy("Name, e-mail or username"),
        "autocomplete": "off",
        "id": "id_q",
    }
    ours = FilterSearchInput(attrs=attrs).render("q", value)
    django = forms.TextInput(attrs=attrs).render("q", value, renderer=DjangoTemplates())
    assert ours == django
    assert 'type="search"' in ours
