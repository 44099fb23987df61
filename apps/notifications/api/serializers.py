from rest_framework import serializers

from apps.accounts.models import Language

from ..models import Notification, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "data",
            "channel",
            "status",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields


class PreferenceSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(
        choices=Language.choices,
        source="user.language",
        allow_blank=True,
        required=False,
    )

    class Meta:
        model = NotificationPreference
        fields = ["whatsapp", "email", "in_app", "reminders", "language"]


class PreferenceInputSerializer(serializers.Serializer):
    whatsapp = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    in_app = serializers.BooleanField(required=False)
    reminders = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(
        choices=Language.choices, allow_blank=True, required=False
    )


class NotificationListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)
