from django.contrib import admin

from .models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


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
