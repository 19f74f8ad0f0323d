"""Included by config/urls.py behind the CPMS gate (see cpms.coding.views)."""

from django.urls import path

from . import views

app_name = "coding"
urlpatterns = [
    path("search/", views.concept_search, name="concept-search"),
    path("hgvs-check/", views.hgvs_check, name="hgvs-check"),
    path("gene-check/", views.gene_check, name="gene-check"),
]
