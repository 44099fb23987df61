import pycountry
from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from apps.companies.models import Company, Membership, Role


class CompanySerializer(serializers.ModelSerializer):
    phone = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "slug",
            "timezone",
            "language",
            "currency",
            "phone",
            "email",
            "requires_approval",
            "min_notice_minutes",
            "booking_horizon_days",
            "slot_interval_minutes",
            "cancellation_notice_minutes",
            "approval_deadline_minutes",
            "reminder_offsets_minutes",
            "is_active",
        ]

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
            raise serializers.ValidationError(_("Use a three-letter ISO 4217 code."))
        return code

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["phone"] = str(instance.phone) if instance.phone else ""
        return data


class MemberUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    user = MemberUserSerializer(read_only=True)
    actor_id = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_active", "actor_id", "created_at"]

    def get_actor_id(self, membership) -> int | None:
        actor = getattr(membership, "actor_profile", None)
        return actor.id if actor else None


class MembershipCreateInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False)
    email = serializers.EmailField(required=False)
    role = serializers.ChoiceField(choices=Role.choices)

    def validate(self, attrs):
        if ("user" in attrs) == ("email" in attrs):
            raise serializers.ValidationError(
                {"user": [_("Give either user or email.")]}
            )
        return attrs


class MembershipUpdateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)
