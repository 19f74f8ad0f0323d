from django.urls import path  # noqa: F401  (the terminology search arrives with its views)

app_name = "coding"
urlpatterns: list = []
