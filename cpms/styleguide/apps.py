from django.apps import AppConfig


class StyleguideConfig(AppConfig):
    name = "cpms.styleguide"
    verbose_name = "Design system"
