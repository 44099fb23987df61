from django.contrib import admin

from .models import Notification, NotificationPreference, Reminder, WhatsAppRecord


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "channel",
        "status",
        "recipient",
        "company",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["channel", "status", "kind", "company"]
    search_fields = ["key", "provider_id", "recipient__email", "title"]
    raw_id_fields = ["recipient", "appointment", "company"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "whatsapp", "email", "in_app", "reminders"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "appointment",
        "offset_minutes",
        "due_at",
        "status",
        "company",
    ]
    list_filter = ["status", "company"]
    raw_id_fields = ["appointment", "company"]


@admin.register(WhatsAppRecord)
class WhatsAppRecordAdmin(admin.ModelAdmin):
    list_display = ["sid", "to", "created_at"]
    search_fields = ["sid", "to", "body"]
    readonly_fields = ["notification", "sid", "to", "from_number", "body", "created_at"]
