import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import User
from apps.companies.models import Company

from ..models import Flag, Variant
from ..registry import definition_get

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# `flags/active/` is an endpoint of its own, so no flag may be named so.
RESERVED_NAMES = frozenset({"active"})
SETTINGS_FIELDS = [
    "everyone",
    "percent",
    "testing",
    "superusers",
    "staff",
    "authenticated",
    "languages",
    "rollout",
    "note",
    "companies",
    "users",
    "groups",
]


class FlagInputSerializer(serializers.ModelSerializer):
    companies = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), many=True, required=False
    )
    users = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )
    groups = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.all(), many=True, required=False
    )

    class Meta:
        model = Flag
        fields = ["name", *SETTINGS_FIELDS]

    def validate_name(self, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise serializers.ValidationError(
                _(
                    "Use lower-case letters, digits and underscores, starting "
                    "with a letter."
                )
            )
        if value in RESERVED_NAMES:
            raise serializers.ValidationError(_("This name is reserved."))
        return value

    def validate_languages(self, value: str) -> str:
        codes = [code.strip().lower() for code in value.split(",") if code.strip()]
        supported = {code for code, _name in settings.LANGUAGES}
        unknown = [code for code in codes if code not in supported]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return ",".join(codes)


class FlagUpdateInputSerializer(FlagInputSerializer):
    class Meta(FlagInputSerializer.Meta):
        fields = SETTINGS_FIELDS


class FlagSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    is_registered = serializers.SerializerMethodField()
    default = serializers.SerializerMethodField()
    companies = serializers.SerializerMethodField()
    users = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    exposures = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = [
            "id",
            "name",
            "label",
            "description",
            "is_registered",
            "default",
            *SETTINGS_FIELDS,
            "exposures",
            "created",
            "modified",
        ]

    def get_label(self, flag) -> str | None:
        definition = definition_get(flag.name)
        return str(definition.label) if definition else None

    def get_description(self, flag) -> str | None:
        definition = definition_get(flag.name)
        return str(definition.description) if definition else None

    def get_is_registered(self, flag) -> bool:
        return definition_get(flag.name) is not None

    def get_default(self, flag) -> bool | None:
        """The registry's default in this environment, used without a row."""
        definition = definition_get(flag.name)
        return definition.default_for(settings.ENVIRONMENT) if definition else None

    # The three sets come from `prefetch_related`; `.all()` reads the cache.
    def get_companies(self, flag) -> list[int]:
        return sorted(company.pk for company in flag.companies.all())

    def get_users(self, flag) -> list[int]:
        return sorted(user.pk for user in flag.users.all())

    def get_groups(self, flag) -> list[int]:
        return sorted(group.pk for group in flag.groups.all())

    def get_exposures(self, flag) -> dict[str, int]:
        """Users exposed to each A/B variant: {treatment, control}."""
        return {
            Variant.TREATMENT: getattr(flag, "treatment_count", 0),
            Variant.CONTROL: getattr(flag, "control_count", 0),
        }


class ActiveFlagsSerializer(serializers.Serializer):
    company = serializers.IntegerField(allow_null=True)
    flags = serializers.DictField(child=serializers.BooleanField())
    switches = serializers.DictField(child=serializers.BooleanField())


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    date_format = serializers.CharField()
    time_format = serializers.CharField()


class LocalizationSerializer(serializers.Serializer):
    languages = LanguageSerializer(many=True)
    default_language = serializers.CharField()
    current_language = serializers.CharField()
    company = serializers.IntegerField(allow_null=True)
    company_language = serializers.CharField(allow_null=True)
    timezone = serializers.CharField()
    currency = serializers.CharField()
    date_format = serializers.CharField()
    time_format = serializers.CharField()
    datetime_format = serializers.CharField()
    first_weekday = serializers.IntegerField()
    decimal_separator = serializers.CharField()
    thousand_separator = serializers.CharField()
