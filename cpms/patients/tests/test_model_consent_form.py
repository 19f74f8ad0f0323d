from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cpms.lib.files import PDF, content_type_of
from cpms.test import sign_in


def url(language):
    return reverse("patients:model-consent-form", kwargs={"language": language})


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get(url("en")).url.startswith(reverse("identity:login"))


def test_it_answers_404_for_another_language(client, world):
    sign_in(client, world.enrolling)
    assert client.get(url("xx")).status_code == 404


def test_it_renders_a_whole_pdf_in_each_language(client, world):
    sign_in(client, world.enrolling)
    for language in ("en", "fr"):
        response = client.get(url(language))
        assert response["Content-Type"] == "application/pdf"
        assert content_type_of(response.content) == PDF
        assert f"cpms-model-consent-forms-{language}.pdf" in response["Content-Disposition"]


def test_its_french_text_is_french():
    with translation.override("fr"):
        html = render_to_string("patients/model_consent_form.html", {"language": "fr"})
    assert 'lang="fr"' in html
    assert "Consentement aux soins" in html
    assert "I agree" not in html
