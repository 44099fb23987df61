from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.views import ApiRootView, api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", include("apps.core.health_urls")),
    path("api/", ApiRootView.as_view(), name="api-root"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/auth/", include("apps.accounts.api.urls")),
    path("api/companies/", include("apps.companies.api.urls")),
    path("api/appointments/", include("apps.appointments.api.urls")),
    path("api/notifications/", include("apps.notifications.api.urls")),
    path("api/feature-flags/", include("apps.feature_flags.api.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    # Last: whatever the API's own routes did not match.
    re_path(r"^api/", api_not_found),
]
