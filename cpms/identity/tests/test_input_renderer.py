"""The sign-in forms write their <input>s in Python (forms.InputRenderer): the same HTML as Django's
templates, whatever the attributes and the value."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from cpms.identity.forms import SIGNIN_RENDERER, CodeForm, IdentifierForm, PasswordForm


def both_ways(form_class, data=None, errors=()):
    """The form's fields as HTML with Django's renderer and with the sign-in one."""
    pages = []
    for renderer in (DjangoTemplates(), SIGNIN_RENDERER):
        form = form_class(data, renderer=renderer)
        if data is not None:
            form.is_valid()
        for field, error in errors:
            form.add_error(field, error)
        pages.append([str(form[name]) for name in form.fields])
    return pages


@pytest.mark.parametrize(
    ("form_class", "data", "errors"),
    [
        (IdentifierForm, None, ()),
        (IdentifierForm, {"identifier": "\"><script>alert(1)</script> & 'x'"}, ()),
        (IdentifierForm, {"identifier": ""}, ()),
        (PasswordForm, None, ()),
        (PasswordForm, {"password": "wrong & <b>"}, [(None, "The password is not correct.")]),
        (CodeForm, {"code": "12 34"}, ()),
        (CodeForm, {"code": "123456"}, [("code", "This code is not correct.")]),
    ],
)
def test_it_writes_the_same_html_as_djangos_templates(form_class, data, errors):
    django_html, signin_html = both_ways(form_class, data, errors)
    assert signin_html == django_html
    assert all(html.startswith("<input ") for html in signin_html)


def test_it_writes_true_false_and_none_attributes_as_django_does():
    class Form(forms.Form):
        name = forms.CharField(
            widget=forms.TextInput(attrs={"autofocus": True, "hidden": False, "data-x": None, "size": 8})
        )

    django_html = str(Form(renderer=DjangoTemplates())["name"])
    assert str(Form(renderer=SIGNIN_RENDERER)["name"]) == django_html
    assert " autofocus " in django_html and "hidden" not in django_html and 'data-x="None"' in django_html


def test_it_leaves_other_widgets_to_the_templates():
    class Form(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A <b>")], widget=forms.RadioSelect)
        box = forms.BooleanField()

    form = Form(renderer=SIGNIN_RENDERER)
    assert str(form["choice"]) == str(Form(renderer=DjangoTemplates())["choice"])
    assert 'type="checkbox"' in str(form["box"])


def test_the_sign_in_forms_use_it():
    assert all(f().renderer is SIGNIN_RENDERER for f in (IdentifierForm, PasswordForm, CodeForm))
