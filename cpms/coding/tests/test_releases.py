import pytest
from django.template import Context, Template

pytestmark = pytest.mark.django_db


def render():
    return Template("{% load coding %}{% terminology_releases %}").render(Context())


def test_it_names_the_loaded_releases_with_their_attribution(terminologies):
    html = " ".join(render().split())
    assert "HPO 2025-01-16, ORPHA (from HPO annotations 2025-01-16), ICD-10 2019 (WHO)" in html
    assert "Human Phenotype Ontology (release 2025-01-16)" in html
    assert "Orphanet" in html and "CC BY 4.0" in html and "creativecommons.org/licenses/by/4.0" in html


def test_it_says_when_nothing_is_loaded(db):
    assert "No terminology is loaded yet" in render()


def test_it_reads_one_query(terminologies, django_assert_num_queries):
    with django_assert_num_queries(1):
        render()
