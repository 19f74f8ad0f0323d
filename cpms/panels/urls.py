from django.urls import path

from .views import notifications, panels

app_name = "panels"
urlpatterns = [
    # -- One panel (views/panels.py)
    path("panels/<int:panel>/", panels.panel_detail, name="panel-detail"),
    # -- notifications (views/notifications.py)
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/<int:notification>/", notifications.notification_open, name="notification-open"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", notifications.notification_settings, name="notification-settings"),
]
