from django.urls import path  # noqa: F401

app_name = "clinical"
urlpatterns = [
    # -- Front door: landing page, access gates, first use, ERN preferences, dashboard (views/front_door.py)
]
