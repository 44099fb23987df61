from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoogleCalendarConfig(AppConfig):
    name = "apps.google_calendar"
    verbose_name = _("Google calendar")
