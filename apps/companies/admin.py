from django.contrib import admin

from .models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    # People leave a company by deactivation (is_active), which the model
    # refuses for its last admin; a deleted row could be that admin.
    can_delete = False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "language", "currency", "is_active"]
    list_filter = ["is_active", "language", "timezone", "requires_approval"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "company"]
    search_fields = ["user__email", "user__name", "company__name"]
    autocomplete_fields = ["user", "company"]
    list_select_related = ["user", "company"]

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_active_admin and not obj.has_other_admin():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # A bulk delete could take every admin of a company at once.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
