"""Every feature flag the product knows, with its default per environment.

A flag without a database row is evaluated with the default of the current
`settings.ENVIRONMENT`; `manage.py init_feature_flags` writes these defaults
into rows so they can be changed in the admin or the API. An environment not
listed here (say, "staging") takes the production defaults, the cautious
ones.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DEVELOPMENT = "development"
TEST = "test"
PRODUCTION = "production"
ENVIRONMENTS = (DEVELOPMENT, TEST, PRODUCTION)

# The names callers pass to `services.is_enabled` and `require_feature`.
CUSTOMER_SELF_BOOKING = "customer_self_booking"
APPOINTMENT_APPROVAL = "appointment_approval"
RECURRING_APPOINTMENTS = "recurring_appointments"
COUPONS = "coupons"
DYNAMIC_PRICING = "dynamic_pricing"
WHATSAPP_NOTIFICATIONS = "whatsapp_notifications"
EMAIL_NOTIFICATIONS = "email_notifications"
WEBSOCKET_NOTIFICATIONS = "websocket_notifications"
APPOINTMENT_REMINDERS = "appointment_reminders"
GOOGLE_CALENDAR_SYNC = "google_calendar_sync"


@dataclass(frozen=True)
class FlagDefinition:
    name: str
    label: Promise
    description: Promise
    defaults: Mapping[str, bool]

    def default_for(self, environment: str) -> bool:
        """The flag's state in `environment` when no row says otherwise."""
        return self.defaults.get(environment, self.defaults[PRODUCTION])


def _defaults(*, production: bool) -> dict[str, bool]:
    # Development and test run every feature so that each engineer's work
    # stays exercised by the whole suite; production is decided per flag.
    return {DEVELOPMENT: True, TEST: True, PRODUCTION: production}


FLAGS: tuple[FlagDefinition, ...] = (
    FlagDefinition(
        name=CUSTOMER_SELF_BOOKING,
        label=_("Customer self-booking"),
        description=_(
            "Customers book appointments themselves through the API. When off, "
            "only the company's staff can book for them."
        ),
        defaults=_defaults(production=True),
    ),
    FlagDefinition(
        name=APPOINTMENT_APPROVAL,
        label=_("Appointment approval"),
        description=_(
            "Companies and services that require approval keep customer "
            "requests pending until staff confirm or reject them."
        ),
        defaults=_defaults(production=True),
    ),
    FlagDefinition(
        name=RECURRING_APPOINTMENTS,
        label=_("Recurring appointments"),
        description=_(
            "Bookings with a recurrence rule create a whole series of "
            "appointments at once."
        ),
        defaults=_defaults(production=False),
    ),
    FlagDefinition(
        name=COUPONS,
        label=_("Coupons"),
        description=_("Customers apply discount coupons when booking."),
        defaults=_defaults(production=False),
    ),
    FlagDefinition(
        name=DYNAMIC_PRICING,
        label=_("Dynamic pricing"),
        description=_(
            "Price rules change a service's price by weekday, hour or "
            "demand before coupons apply."
        ),
        defaults=_defaults(production=False),
    ),
    FlagDefinition(
        name=WHATSAPP_NOTIFICATIONS,
        label=_("WhatsApp notifications"),
        description=_(
            "Customers and staff receive WhatsApp messages about their "
            "appointments. When off, nothing is sent on WhatsApp."
        ),
        defaults=_defaults(production=False),
    ),
    FlagDefinition(
        name=EMAIL_NOTIFICATIONS,
        label=_("Email notifications"),
        description=_(
            "Customers and staff receive emails about their appointments. "
            "When off, nothing is sent by email."
        ),
        defaults=_defaults(production=True),
    ),
    FlagDefinition(
        name=WEBSOCKET_NOTIFICATIONS,
        label=_("Live notifications"),
        description=_(
            "Dashboards receive live updates and in-app notifications over WebSocket."
        ),
        defaults=_defaults(production=True),
    ),
    FlagDefinition(
        name=APPOINTMENT_REMINDERS,
        label=_("Appointment reminders"),
        description=_(
            "Customers are reminded of upcoming appointments at the "
            "company's reminder offsets."
        ),
        defaults=_defaults(production=True),
    ),
    FlagDefinition(
        name=GOOGLE_CALENDAR_SYNC,
        label=_("Google Calendar sync"),
        description=_(
            "Actors connect their Google Calendar: appointments are pushed "
            "to it and its busy times block booking."
        ),
        defaults=_defaults(production=False),
    ),
)

REGISTRY: dict[str, FlagDefinition] = {flag.name: flag for flag in FLAGS}


def definition_get(name: str) -> FlagDefinition | None:
    return REGISTRY.get(name)
