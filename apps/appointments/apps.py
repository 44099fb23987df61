from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "apps.appointments"
    verbose_name = _("Appointments")

    def ready(self):
        from . import signals  # noqa: F401
