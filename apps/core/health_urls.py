from django.conf import settings
from django.urls import path
from health_check.views import HealthCheckView

CHECKS: list = ["health_check.checks.Database", "health_check.checks.Cache"]
if not settings.CELERY_TASK_ALWAYS_EAGER:
    CHECKS.append("apps.core.health.Broker")

urlpatterns = [path("", HealthCheckView.as_view(checks=CHECKS), name="health")]
