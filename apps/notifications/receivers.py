"""Listens to the scheduling services' signals, inside their transaction."""

from django.dispatch import receiver

from apps.appointments.events import appointment_changed

from . import services


@receiver(appointment_changed, dispatch_uid="notifications_on_appointment_changed")
def on_appointment_changed(
    sender, *, appointment, event, by=None, previous=None, note="", **kwargs
):
    services.appointment_event_notify(
        appointment=appointment, event=event, by=by, previous=previous, note=note or ""
    )
