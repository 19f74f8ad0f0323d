"""StyledFormMixin and form_fields.html: every field says, to eyes and to screen readers, what is wrong."""

import re

from django import forms
from django.template.loader import render_to_string

from cpms.lib.forms import StyledFormMixin


class ExampleForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label="Verification code", help_text="The 6 digits your app shows.")
    method = forms.ChoiceField(
        label="Method", choices=[("pwd", "Password"), ("otp", "App")], widget=forms.RadioSelect
    )
    areas = forms.MultipleChoiceField(
        label="Areas", choices=[("a", "Ataxias"), ("b", "Dystonia")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")


def render(form) -> str:
    return render_to_string("form_fields.html", {"form": form})


def test_it_marks_a_field_invalid_when_a_view_adds_an_error_after_validation():
    form = ExampleForm({"code": "123456", "method": "otp", "areas": ["a"], "agree": "on"})
    assert form.is_valid()
    form.add_error("code", "This code is not correct.")
    html = render(form)
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', html).group(0)
    assert "is-invalid" in code_input
    assert 'aria-invalid="true"' in code_input
    assert 'id="id_code-error"' in html


def test_it_points_a_field_to_both_its_help_text_and_its_errors():
    html = render(ExampleForm({"code": ""}))
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', html).group(0)
    assert 'aria-describedby="id_code_helptext id_code-error"' in code_input
    assert 'id="id_code_helptext"' in html


def test_it_points_a_group_of_choices_to_its_error_message():
    html = render(ExampleForm({"method": "nonsense"}))
    assert 'aria-describedby="id_method-error"' in html
    assert 'id="id_method-error"' in html
    assert 'id="-error"' not in html and '"-error"' not in html


def test_it_renders_a_group_of_checkboxes_as_a_fieldset_of_choices():
    html = render(ExampleForm())
    assert "<legend" in html and ">Areas</legend>" in html
    assert html.count('name="areas"') == 2
    assert 'id="id_areas_0"' in html and 'for="id_areas_1"' in html


def test_it_gives_several_errors_of_one_field_a_single_id():
    form = ExampleForm({"code": "x"})
    form.add_error("code", "Too short.")
    form.add_error("code", "Not a number.")
    html = render(form)
    assert html.count('id="id_code-error"') == 1
    assert "Too short." in html and "Not a number." in html


def test_it_keeps_a_checkbox_ticked_and_its_widget_attributes():
    form = ExampleForm({"agree": "on"})
    form.fields["agree"].widget.attrs["data-testid"] = "agree"
    html = render(form)
    checkbox = re.search(r'<input[^>]*name="agree"[^>]*>', html).group(0)
    assert "checked" in checkbox and 'data-testid="agree"' in checkbox
    assert 'class="form-check-input"' in checkbox


class PresetClassForm(StyledFormMixin, forms.Form):
    name = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control"}))


def test_it_adds_each_class_once():
    form = PresetClassForm({"name": "Laptop"})
    assert form.fields["name"].widget.attrs["class"] == "form-control"
    assert form.is_valid()
    form.add_error("name", "Wrong.")
    form.add_error("name", "Still wrong.")
    assert form.fields["name"].widget.attrs["class"] == "form-control is-invalid"
