import pytest

pytestmark = pytest.mark.django_db

URL = "/privacy/"


def test_it_is_public_and_names_the_controller_bases_recipients_retention_and_rights(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "The controller of your personal data is The organisation that runs this CPMS installation.",
        'href="mailto:dpo@cpms.localhost"',
        "Article 6(1)(e)",
        "Article 9(2)(h)",
        "Article 9(2)(a)",
        "Who receives it",
        "How long it is kept",
        "The security log: 10 years",
        "right to access your personal data",
        "lodge a complaint",
    ):
        assert expected in page, expected


def test_the_controller_and_the_data_protection_officer_come_from_the_settings(client, settings):
    settings.PRIVACY = {
        **settings.PRIVACY,
        "controller": "Hôpital Universitaire Exemple",
        "dpo_name": "Dr Claire Martin",
        "dpo_email": "dpo@hopital.example",
    }
    page = client.get(URL).content.decode()
    assert "Hôpital Universitaire Exemple" in page
    assert "Dr Claire Martin" in page and "mailto:dpo@hopital.example" in page


def test_it_is_in_french(client):
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Déclaration de confidentialité" in page or "Déclaration relative à la protection" in page
    assert "article 6, paragraphe 1, point e)" in page
    assert "article 9, paragraphe 2, point h)" in page
    assert "article 9, paragraphe 2, point a)" in page
    assert "Qui les reçoit" in page
