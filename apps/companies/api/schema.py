"""The OpenAPI shapes of the companies' hand-built answers, never used to
render."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.companies.models import Role
from apps.core.schema import error_response


class AppointmentCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    rejected = serializers.IntegerField()
    no_show = serializers.IntegerField()


class RevenueSerializer(serializers.Serializer):
    expected = serializers.CharField(
        help_text="Of pending and confirmed appointments, two decimals."
    )
    received = serializers.CharField(
        help_text="Of completed appointments, two decimals."
    )
    currency = serializers.CharField()


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True)


class TopServiceSerializer(serializers.Serializer):
    service = NamedSerializer()
    count = serializers.IntegerField()


class TopActorSerializer(serializers.Serializer):
    actor = NamedSerializer()
    count = serializers.IntegerField()
    revenue = serializers.CharField(help_text="Two decimals.")


class CompanyStatisticsSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    appointments = AppointmentCountsSerializer()
    revenue = RevenueSerializer()
    occupancy_rate = serializers.FloatField(
        help_text="Booked minutes over the working minutes of bookable actors."
    )
    booked_minutes = serializers.IntegerField()
    working_minutes = serializers.IntegerField()
    top_services = TopServiceSerializer(many=True)
    top_actors = TopActorSerializer(many=True)


STATISTICS_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
]
MEMBERS_PARAMETERS = [OpenApiParameter("role", str, enum=Role.values)]

MANAGERS_ONLY = error_response(
    "`permission_denied`: only the company's admins and managers."
)
MEMBER_INVALID = error_response(
    "`validation_error` with `fields`, e.g. no active user matches or the "
    "user is already a member; `malformed_request` when the body is not "
    "valid JSON."
)
MEMBER_REMOVE_INVALID = error_response(
    "`validation_error`: the requester cannot remove their own membership."
)
