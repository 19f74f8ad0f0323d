"""The project's URLs plus stand-ins for features not written yet, to see the side navigation grow."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def stand_in(request, **kwargs):
    return HttpResponse("")


patients = (
    [
        path("", stand_in, name="patient-list"),
        path("centre/<int:centre>/", stand_in, name="centre-patient-list"),
    ],
    "patients",
)
research = ([path("", stand_in, name="research-home")], "research")

# The stand-ins first: of two URL namespaces of one name, Django reverses in the first (the real
# "patients" namespace exists as soon as its first page does).
urlpatterns = [
    path("cpms/patients/", include(patients)),
    path("cpms/research/", include(research)),
    *project_urlpatterns,
]
