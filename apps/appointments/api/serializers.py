from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.appointments.models import (
    Actor,
    ActorService,
    AppointmentHistory,
    Service,
    TimeBlock,
    WorkingHours,
)


def money(value) -> str:
    return f"{value:.2f}"


def as_local(value: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the company's offset."""
    if value is None:
        return None
    return timezone.localtime(value, tz).isoformat()


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "company", "user", "display_name", "is_bookable", "color"]
        read_only_fields = ["id", "company", "user"]

    def validate_color(self, value: str) -> str:
        import re

        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise serializers.ValidationError(_("Use a colour like #1a2b3c."))
        return value.lower()


class ActorCreateSerializer(serializers.Serializer):
    company = serializers.IntegerField(required=False)
    user = serializers.IntegerField()
    display_name = serializers.CharField(max_length=150, required=False)
    is_bookable = serializers.BooleanField(required=False, default=True)
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)


class ServiceSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="company.currency", read_only=True)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, coerce_to_string=True
    )
    company = serializers.IntegerField(source="company_id", required=False)

    class Meta:
        model = Service
        fields = [
            "id",
            "company",
            "name",
            "description",
            "name_pt_br",
            "name_en",
            "description_pt_br",
            "description_en",
            "duration_minutes",
            "price",
            "currency",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "requires_approval",
            "is_active",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "name": {"required": False},
            "description": {"required": False},
            "name_pt_br": {"required": False, "allow_null": True},
            "name_en": {"required": False, "allow_null": True},
            "description_pt_br": {"required": False, "allow_null": True},
            "description_en": {"required": False, "allow_null": True},
        }

    def validate(self, attrs):
        creating = self.instance is None
        names = [attrs.get(key) for key in ("name", "name_pt_br", "name_en")]
        if creating and not any(names):
            raise serializers.ValidationError({"name": [_("This field is required.")]})
        return attrs


class ServiceByActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="service.id")
    offer = serializers.IntegerField(source="id")
    name = serializers.CharField(source="service.name")
    description = serializers.CharField(source="service.description")
    duration_minutes = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    currency = serializers.CharField(source="company.currency")
    buffer_before_minutes = serializers.SerializerMethodField()
    buffer_after_minutes = serializers.SerializerMethodField()
    requires_approval = serializers.BooleanField(source="service.requires_approval")

    def get_duration_minutes(self, offer) -> int:
        return int(offer.effective_duration.total_seconds() // 60)

    def get_price(self, offer) -> str:
        return money(offer.effective_price)

    def get_buffer_before_minutes(self, offer) -> int:
        return int(offer.effective_buffer_before.total_seconds() // 60)

    def get_buffer_after_minutes(self, offer) -> int:
        return int(offer.effective_buffer_after.total_seconds() // 60)


class ActorServiceSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=True,
    )

    class Meta:
        model = ActorService
        fields = [
            "id",
            "actor",
            "service",
            "price",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "is_active",
        ]
        read_only_fields = ["id"]
        # The view checks uniqueness after visibility: the model's validator
        # would answer 400 for another company's pair and so reveal it.
        validators = []


class WorkingHoursSerializer(serializers.ModelSerializer):
    start_time = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])
    end_time = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])

    class Meta:
        model = WorkingHours
        fields = ["id", "actor", "weekday", "start_time", "end_time"]
        read_only_fields = ["id"]


class TimeBlockSerializer(serializers.ModelSerializer):
    start = serializers.CharField()
    end = serializers.CharField()
    recurrence = serializers.JSONField(required=False, allow_null=True, write_only=True)

    class Meta:
        model = TimeBlock
        fields = ["id", "actor", "start", "end", "reason", "recurrence", "rrule"]
        read_only_fields = ["id", "rrule"]

    def to_representation(self, block):
        tz = block.company.tzinfo
        return {
            "id": block.id,
            "actor": block.actor_id,
            "start": as_local(block.start, tz),
            "end": as_local(block.end, tz),
            "reason": block.reason,
            "rrule": block.rrule,
            "recurrence": {"rrule": block.rrule} if block.rrule else None,
            "recurrence_end": as_local(block.recurrence_end, tz),
        }


class AppointmentCreateSerializer(serializers.Serializer):
    actor = serializers.IntegerField()
    service = serializers.IntegerField()
    start = serializers.CharField()
    customer = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    coupon_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    recurrence = serializers.JSONField(required=False, allow_null=True)

    def validate_coupon_code(self, value: str) -> str:
        # No company has coupons yet: a code is refused rather than ignored,
        # so nobody books believing a discount applies.
        if value.strip():
            raise serializers.ValidationError(_("This coupon does not exist."))
        return value

    skip_conflicts = serializers.BooleanField(required=False, default=False)


class AppointmentUpdateSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RescheduleSerializer(serializers.Serializer):
    start = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email}


class AppointmentSerializer(serializers.Serializer):
    """The appointment as API.md lists it, times in the company's offset."""

    def to_representation(self, appointment):
        tz = appointment.company.tzinfo
        return {
            "id": appointment.id,
            "company": appointment.company_id,
            "actor": appointment.actor_id,
            "actor_name": appointment.actor.display_name,
            "service": appointment.service_id,
            "service_name": appointment.service.name,
            "customer": appointment.customer_id,
            "customer_name": appointment.customer.name or appointment.customer.email,
            "start": as_local(appointment.start, tz),
            "end": as_local(appointment.end, tz),
            "status": appointment.status,
            "price": {
                "base": money(appointment.price_base),
                "discounts": appointment.price_discounts,
                "final": money(appointment.price_final),
                "currency": appointment.currency,
            },
            "notes": appointment.notes,
            "series": appointment.series_id,
            "created_by": appointment.created_by_id,
            "created_at": as_local(appointment.created_at, tz),
            "updated_at": as_local(appointment.updated_at, tz),
        }


class HistorySerializer(serializers.Serializer):
    def to_representation(self, row: AppointmentHistory):
        tz = self.context["tz"]
        return {
            "at": as_local(row.at, tz),
            "by": person(row.by),
            "from_status": row.from_status or None,
            "to_status": row.to_status,
            "from_start": as_local(row.from_start, tz),
            "to_start": as_local(row.to_start, tz),
            "note": row.note,
        }


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ActorSlotsSerializer(serializers.Serializer):
    actor = serializers.IntegerField()
    display_name = serializers.CharField()
    slots = SlotSerializer(many=True)


class OccurrenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()


class SeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.IntegerField()
    actor = serializers.IntegerField()
    service = serializers.IntegerField()
    customer = serializers.IntegerField()
    rrule = serializers.CharField()
    dtstart = serializers.DateTimeField()
    occurrences = OccurrenceSerializer(many=True)


class SeriesCancelSerializer(serializers.Serializer):
    start_from = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("start_from")
        return fields
