"""The OpenAPI shapes of scheduling's hand-built answers.

`AppointmentSerializer` and `HistorySerializer` build their dicts in
`to_representation`, so drf-spectacular sees no fields in them; the
extensions at the bottom describe them with the serializers here, which are
never used to render. Importing this module registers the extensions.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
)
from rest_framework import serializers

from apps.appointments.availability import Reason
from apps.appointments.models import AppointmentStatus
from apps.core.schema import error_response

from .serializers import (
    ActorSlotsSerializer,
    AppointmentSerializer,
    SeriesSerializer,
    SlotSerializer,
)

REASONS = [reason.value for reason in Reason]


class DiscountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.CharField(help_text="Two decimals, e.g. `5.00`.")


class PriceSerializer(serializers.Serializer):
    base = serializers.CharField(help_text="Two decimals, e.g. `45.00`.")
    discounts = DiscountSerializer(many=True)
    final = serializers.CharField(help_text="Two decimals, e.g. `45.00`.")
    currency = serializers.CharField()


class AppointmentFieldsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.IntegerField()
    actor = serializers.IntegerField()
    actor_name = serializers.CharField()
    service = serializers.IntegerField()
    service_name = serializers.CharField()
    customer = serializers.IntegerField()
    customer_name = serializers.CharField()
    start = serializers.DateTimeField(help_text="With the company's offset.")
    end = serializers.DateTimeField(help_text="With the company's offset.")
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    price = PriceSerializer()
    notes = serializers.CharField()
    series = serializers.IntegerField(allow_null=True)
    created_by = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SkippedSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=REASONS)


class SeriesBookingSerializer(serializers.Serializer):
    series = serializers.IntegerField()
    appointments = AppointmentSerializer(many=True)
    skipped = SkippedSerializer(many=True)


BOOKING = PolymorphicProxySerializer(
    component_name="Booking",
    serializers=[AppointmentSerializer, SeriesBookingSerializer],
    resource_type_field_name=None,
    many=False,
)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class HistoryFieldsSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = PersonSerializer(allow_null=True)
    from_status = serializers.ChoiceField(
        choices=AppointmentStatus.choices, allow_null=True
    )
    to_status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    from_start = serializers.DateTimeField(allow_null=True)
    to_start = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class ActorAvailabilitySerializer(serializers.Serializer):
    """With `actor`: that actor's free slots."""

    timezone = serializers.CharField()
    service = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    actor = serializers.IntegerField()
    slots = SlotSerializer(many=True)


class ServiceAvailabilitySerializer(serializers.Serializer):
    """Without `actor`: every bookable actor who offers the service."""

    timezone = serializers.CharField()
    service = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    actors = ActorSlotsSerializer(many=True)


AVAILABILITY = PolymorphicProxySerializer(
    component_name="Availability",
    serializers=[ActorAvailabilitySerializer, ServiceAvailabilitySerializer],
    resource_type_field_name=None,
    many=False,
)

AVAILABILITY_PARAMETERS = [
    OpenApiParameter("service", int, required=True),
    OpenApiParameter(
        "actor",
        int,
        description="One actor's slots; without it, every bookable actor's.",
    ),
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="By default the company's today."
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.DATE,
        description="By default `date_from`; the range spans at most 62 days.",
    ),
]

LIST_PARAMETERS = [
    OpenApiParameter("company", int),
    OpenApiParameter("actor", int),
    OpenApiParameter("customer", int),
    OpenApiParameter("service", int),
    OpenApiParameter(
        "status",
        {
            "type": "array",
            "items": {"type": "string", "enum": AppointmentStatus.values},
        },
        explode=False,
        description="One or more, comma-separated.",
    ),
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description="Appointments starting on this local day or later.",
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.DATE,
        description="Appointments starting on this local day or earlier.",
    ),
]

SLOT_UNAVAILABLE = (
    "`slot_unavailable` with `reason`: " + ", ".join(f"`{r}`" for r in REASONS) + "."
)
REASON = {"type": "string", "enum": REASONS}
STATUS = {"type": "string", "enum": AppointmentStatus.values}
SLOT_KEYS = {
    "reason": REASON,
    "conflicts": {
        "type": "array",
        "description": "For a series: each occurrence that cannot be booked.",
        "items": {
            "type": "object",
            "properties": {
                "start": {"type": "string", "format": "date-time"},
                "reason": REASON,
            },
            "required": ["start", "reason"],
        },
    },
}
BOOKING_CONFLICT = error_response(SLOT_UNAVAILABLE, SLOT_KEYS)
BOOKING_FORBIDDEN = error_response(
    "`permission_denied`: a customer books only for themselves; "
    "`feature_disabled` (with `feature`) when customers of the company may "
    "not book on their own.",
    {"feature": {"type": "string"}},
)
BOOKING_INVALID = error_response(
    "`validation_error` with `fields`; `service_not_offered` when the actor "
    "does not offer the service; `invalid_recurrence` for a malformed rule; "
    "`malformed_request` when the body is not valid JSON."
)
TRANSITION_CONFLICT = error_response(
    "`invalid_transition` (with `status`) from a state that does not allow "
    "it; `cancellation_window_passed`; `not_started` to complete or mark as "
    "a no-show an appointment not yet begun.",
    {"status": STATUS},
)
RESCHEDULE_CONFLICT = error_response(
    "`invalid_transition` (with `status`); `cancellation_window_passed`; "
    + SLOT_UNAVAILABLE,
    {"status": STATUS, "reason": REASON},
)
NOT_VISIBLE = error_response(
    "`not_found`: the service or actor does not exist or is of a company the "
    "requester cannot see."
)


class SeriesCancelledSerializer(SeriesSerializer):
    cancelled = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids it cancelled."
    )


class AppointmentSerializerExtension(OpenApiSerializerExtension):
    target_class = "apps.appointments.api.serializers.AppointmentSerializer"

    def get_name(self, auto_schema, direction):
        return "Appointment"

    def map_serializer(self, auto_schema, direction):
        return auto_schema._map_serializer(AppointmentFieldsSerializer, direction)


class HistorySerializerExtension(OpenApiSerializerExtension):
    target_class = "apps.appointments.api.serializers.HistorySerializer"

    def get_name(self, auto_schema, direction):
        return "History"

    def map_serializer(self, auto_schema, direction):
        return auto_schema._map_serializer(HistoryFieldsSerializer, direction)


class RruleSerializer(serializers.Serializer):
    rrule = serializers.CharField()


class TimeBlockFieldsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    actor = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()
    rrule = serializers.CharField(help_text="Empty for a one-off block.")
    recurrence = RruleSerializer(allow_null=True)
    recurrence_end = serializers.DateTimeField(allow_null=True)


class TimeBlockSerializerExtension(OpenApiSerializerExtension):
    """The answer is hand-built; the request keeps the serializer's fields."""

    target_class = "apps.appointments.api.serializers.TimeBlockSerializer"

    def map_serializer(self, auto_schema, direction):
        if direction == "response":
            return auto_schema._map_serializer(TimeBlockFieldsSerializer, direction)
        return auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
