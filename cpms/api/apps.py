from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "cpms.api"
    label = "cpms_api"  # "api" is too common a label to keep for ourselves
    verbose_name = _("API")
