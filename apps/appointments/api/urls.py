from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    ActorServiceViewSet,
    ActorViewSet,
    AppointmentViewSet,
    AvailabilityView,
    SeriesViewSet,
    ServiceViewSet,
    TimeBlockViewSet,
    WorkingHoursViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("actors", ActorViewSet, basename="actor")
router.register("services", ServiceViewSet, basename="service")
router.register("actor-services", ActorServiceViewSet, basename="actor-service")
router.register("working-hours", WorkingHoursViewSet, basename="working-hours")
router.register("time-blocks", TimeBlockViewSet, basename="time-block")
router.register("series", SeriesViewSet, basename="series")
router.register("", AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("availability/", AvailabilityView.as_view(), name="availability"),
    *router.urls,
]
