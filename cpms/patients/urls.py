from django.urls import path  # noqa: F401  (the patient pages arrive with their views)

app_name = "patients"
urlpatterns: list = []
