from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from apps.accounts.models import Language, User
from apps.companies.models import Role


class LoginInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class CompanySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()


class MembershipSummarySerializer(serializers.Serializer):
    company = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices)
    actor_id = serializers.SerializerMethodField()

    @extend_schema_field(CompanySummarySerializer)
    def get_company(self, membership) -> dict:
        company = membership.company
        return {"id": company.id, "name": company.name, "slug": company.slug}

    def get_actor_id(self, membership) -> int | None:
        actor = getattr(membership, "actor_profile", None)
        return actor.id if actor else None


class UserSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    is_super_admin = serializers.BooleanField(source="is_superuser", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "phone", "language", "is_super_admin"]

    def get_phone(self, user) -> str:
        return str(user.phone) if user.phone else ""


class MeSerializer(UserSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "memberships"]

    @extend_schema_field(MembershipSummarySerializer(many=True))
    def get_memberships(self, user) -> list[dict]:
        rows = user.memberships.filter(is_active=True).select_related(
            "company", "actor_profile"
        )
        return MembershipSummarySerializer(rows, many=True).data


class RegisterInputSerializer(serializers.Serializer):
    company = serializers.SlugField()
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150)
    phone = PhoneNumberField(required=False, allow_blank=True)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True
    )


class UserCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150)
    phone = PhoneNumberField(required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True
    )
    password = serializers.CharField(
        max_length=128, required=False, trim_whitespace=False
    )
    company = serializers.IntegerField(required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)

    def validate(self, attrs):
        if ("company" in attrs) != ("role" in attrs):
            raise serializers.ValidationError(
                {"role": [_("Give both company and role, or neither.")]}
            )
        return attrs


class UserUpdateInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False)
    name = serializers.CharField(max_length=150, required=False)
    phone = PhoneNumberField(required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True
    )
    password = serializers.CharField(
        max_length=128, required=False, trim_whitespace=False
    )
