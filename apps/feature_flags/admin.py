from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import selectors, services
from .models import Exposure, Flag, Sample, Switch, Variant
from .registry import definition_get


@admin.action(description=_("Turn on for everyone"), permissions=["change"])
def turn_on_for_everyone(modeladmin, request, queryset):
    _set_everyone(modeladmin, request, queryset, True)


@admin.action(description=_("Turn off for everyone"), permissions=["change"])
def turn_off_for_everyone(modeladmin, request, queryset):
    _set_everyone(modeladmin, request, queryset, False)


@admin.action(
    description=_("Decide by companies, users and percentage"),
    permissions=["change"],
)
def use_targeting_rules(modeladmin, request, queryset):
    _set_everyone(modeladmin, request, queryset, None)


def _set_everyone(modeladmin, request, queryset, everyone: bool | None) -> None:
    flags = list(queryset)
    for flag in flags:
        services.flag_update(flag=flag, data={"everyone": everyone}, by=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d flag changed.", "%(count)d flags changed.", len(flags))
        % {"count": len(flags)},
        messages.SUCCESS,
    )


class WaffleModelAdmin(admin.ModelAdmin):
    def get_actions(self, request):
        # A queryset delete would skip the cache flush each row's own
        # delete() performs; rows are deleted one by one from their page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Flag)
class FlagAdmin(WaffleModelAdmin):
    list_display = [
        "name",
        "label",
        "everyone",
        "percent",
        "company_count",
        "superusers",
        "authenticated",
        "treatment_count",
        "control_count",
        "modified",
    ]
    list_filter = ["everyone", "testing", "superusers", "staff", "authenticated"]
    search_fields = ["name", "note"]
    filter_horizontal = ["companies", "groups"]
    raw_id_fields = ["users"]
    readonly_fields = [
        "label",
        "description",
        "exposure_summary",
        "created",
        "modified",
    ]
    actions = [turn_on_for_everyone, turn_off_for_everyone, use_targeting_rules]
    fieldsets = [
        (None, {"fields": ["name", "label", "description", "note"]}),
        (_("For everyone"), {"fields": ["everyone"]}),
        (
            _("Targeting"),
            {
                "fields": [
                    "companies",
                    "users",
                    "groups",
                    "superusers",
                    "staff",
                    "authenticated",
                    "languages",
                ]
            },
        ),
        (
            _("A/B rollout"),
            {"fields": ["percent", "rollout", "testing", "exposure_summary"]},
        ),
        (_("History"), {"fields": ["created", "modified"]}),
    ]

    def get_queryset(self, request):
        return selectors.flag_list()

    @admin.display(description=_("label"))
    def label(self, flag):
        definition = definition_get(flag.name)
        return definition.label if definition else "-"

    @admin.display(description=_("description"))
    def description(self, flag):
        definition = definition_get(flag.name)
        return definition.description if definition else "-"

    @admin.display(description=_("companies"))
    def company_count(self, flag):
        return len(flag.companies.all())

    @admin.display(description=_("treatment users"), ordering="treatment_count")
    def treatment_count(self, flag):
        return flag.treatment_count

    @admin.display(description=_("control users"), ordering="control_count")
    def control_count(self, flag):
        return flag.control_count

    @admin.display(description=_("exposures"))
    def exposure_summary(self, flag):
        if flag.pk is None:
            return "-"
        counts = selectors.exposure_counts(flag)
        return _("%(treatment)d in treatment, %(control)d in control") % {
            "treatment": counts[Variant.TREATMENT],
            "control": counts[Variant.CONTROL],
        }


@admin.register(Exposure)
class ExposureAdmin(admin.ModelAdmin):
    """Read-only: exposures are facts recorded by the evaluation."""

    list_display = ["flag", "user", "company", "variant", "percent", "first_seen"]
    list_filter = ["variant", "flag"]
    search_fields = ["flag__name", "user__email"]
    list_select_related = ["flag", "user", "company"]
    date_hierarchy = "first_seen"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Turn on"), permissions=["change"])
def turn_switches_on(modeladmin, request, queryset):
    for switch in queryset:
        services.switch_set(switch=switch, active=True, by=request.user)


@admin.action(description=_("Turn off"), permissions=["change"])
def turn_switches_off(modeladmin, request, queryset):
    for switch in queryset:
        services.switch_set(switch=switch, active=False, by=request.user)


@admin.register(Switch)
class SwitchAdmin(WaffleModelAdmin):
    list_display = ["name", "active", "note", "modified"]
    list_filter = ["active"]
    search_fields = ["name", "note"]
    readonly_fields = ["created", "modified"]
    actions = [turn_switches_on, turn_switches_off]


@admin.register(Sample)
class SampleAdmin(WaffleModelAdmin):
    list_display = ["name", "percent", "note", "modified"]
    search_fields = ["name", "note"]
    readonly_fields = ["created", "modified"]
