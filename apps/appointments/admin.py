from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import (
    Actor,
    ActorService,
    Appointment,
    AppointmentHistory,
    AppointmentSeries,
    Service,
    TimeBlock,
    WorkingHours,
)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    exclude = ["company"]


class ActorServiceInline(admin.TabularInline):
    model = ActorService
    extra = 0
    exclude = ["company"]
    autocomplete_fields = ["service"]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "company", "user", "is_bookable", "color"]
    list_filter = ["is_bookable", "company"]
    search_fields = ["display_name", "user__email", "company__name"]
    list_select_related = ["company", "user"]
    raw_id_fields = ["membership", "user"]
    inlines = [ActorServiceInline, WorkingHoursInline]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.company_id = form.instance.company_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = [
        "name",
        "company",
        "duration_minutes",
        "price",
        "requires_approval",
        "is_active",
    ]
    list_filter = ["is_active", "requires_approval", "company"]
    search_fields = ["name", "description", "company__name"]
    list_select_related = ["company"]


@admin.register(ActorService)
class ActorServiceAdmin(admin.ModelAdmin):
    list_display = ["actor", "service", "price", "duration_minutes", "is_active"]
    list_filter = ["is_active", "company"]
    search_fields = ["actor__display_name", "service__name"]
    list_select_related = ["actor", "service"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["actor", "weekday", "start_time", "end_time"]
    list_filter = ["weekday", "company"]
    search_fields = ["actor__display_name"]
    list_select_related = ["actor"]


@admin.register(TimeBlock)
class TimeBlockAdmin(admin.ModelAdmin):
    list_display = ["actor", "start", "end", "reason", "rrule"]
    list_filter = ["company"]
    search_fields = ["actor__display_name", "reason"]
    date_hierarchy = "start"
    list_select_related = ["actor"]
    # The rule and the end of its last occurrence are validated and worked
    # out together by the time-block service (the API); a recurring block's
    # first occurrence is changed there too, so recurrence_end stays right.
    readonly_fields = ["rrule", "recurrence_end"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_recurring:
            return ["start", "end", *self.readonly_fields]
        return self.readonly_fields


class AppointmentHistoryInline(admin.TabularInline):
    model = AppointmentHistory
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    readonly_fields = [
        "at",
        "by",
        "from_status",
        "to_status",
        "from_start",
        "to_start",
        "note",
    ]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = [
        "start",
        "end",
        "actor",
        "service",
        "customer",
        "status",
        "price_final",
        "company",
    ]
    list_filter = ["status", "company", "actor"]
    search_fields = ["customer__email", "customer__name", "actor__display_name"]
    date_hierarchy = "start"
    list_select_related = ["actor", "service", "customer", "company"]
    # Booking, times and status go through the booking service (the API),
    # which checks hours, overlaps and transitions and records the history;
    # here only the notes may change.
    readonly_fields = [
        "company",
        "actor",
        "service",
        "customer",
        "start",
        "end",
        "occupied_start",
        "occupied_end",
        "status",
        "price_base",
        "price_discounts",
        "price_final",
        "currency",
        "series",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [AppointmentHistoryInline]

    def has_add_permission(self, request):
        return False


@admin.register(AppointmentSeries)
class AppointmentSeriesAdmin(admin.ModelAdmin):
    list_display = ["id", "company", "actor", "service", "customer", "rrule", "dtstart"]
    list_filter = ["company"]
    search_fields = ["customer__email", "rrule"]
    list_select_related = ["company", "actor", "service", "customer"]
    # A series is made with its appointments by the booking service; its
    # rule and first start describe them, so they are not edited here.
    readonly_fields = [f.name for f in AppointmentSeries._meta.fields]

    def has_add_permission(self, request):
        return False
