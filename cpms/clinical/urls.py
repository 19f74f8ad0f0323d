from django.urls import path

from .views import front_door

app_name = "clinical"
urlpatterns = [
    # -- Front door: landing page, access gates, first use, ERN preferences, dashboard (views/front_door.py)
    path("", front_door.dashboard, name="dashboard"),
    path("second-factor/", front_door.second_factor_required, name="second-factor-required"),
    path("no-access/", front_door.no_access, name="no-access"),
    path("welcome/", front_door.welcome, name="welcome"),
    path("preferences/", front_door.preferences, name="preferences"),
]
