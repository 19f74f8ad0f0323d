from django.urls import path

from . import views

app_name = "styleguide"
urlpatterns = [path("", views.styleguide, name="styleguide")]
