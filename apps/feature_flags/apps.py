from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeatureFlagsConfig(AppConfig):
    name = "apps.feature_flags"
    verbose_name = _("Feature flags")

    def ready(self):
        from . import signals  # noqa: F401
