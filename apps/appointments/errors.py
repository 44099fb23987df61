"""Error codes of scheduling."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import Conflict, ValidationFailed

from .availability import Reason

REASON_MESSAGES = {
    Reason.IN_PAST: _("The start is in the past."),
    Reason.TOO_SOON: _("The start is sooner than the company's minimum notice."),
    Reason.TOO_FAR: _("The start is beyond the company's booking horizon."),
    Reason.OUTSIDE_WORKING_HOURS: _("The time is outside the actor's working hours."),
    Reason.OVERLAPS_APPOINTMENT: _("The time overlaps another appointment."),
    Reason.OVERLAPS_BLOCK: _("The time overlaps a period the actor is unavailable."),
}


class SlotUnavailable(Conflict):
    """409 `slot_unavailable` with the engine's reason."""

    code = "slot_unavailable"
    default_message = _("This time is no longer available.")

    def __init__(self, reason: str | None = None, *, extra=None):
        message = REASON_MESSAGES.get(reason, self.default_message)
        payload = {"reason": reason or Reason.OVERLAPS_APPOINTMENT}
        payload.update(extra or {})
        super().__init__(message, extra=payload)


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, from_status: str):
        from .models import AppointmentStatus

        label = AppointmentStatus(from_status).label
        super().__init__(
            _("This action is not allowed for an appointment that is %(status)s.")
            % {"status": str(label).lower()},
            extra={"status": from_status},
        )


class CancellationWindowPassed(Conflict):
    code = "cancellation_window_passed"
    default_message = _(
        "It is too late to cancel or change this appointment; please contact "
        "the company."
    )


class NotStarted(Conflict):
    code = "not_started"
    default_message = _("The appointment has not started yet.")


class ServiceNotOffered(ValidationFailed):
    code = "service_not_offered"
    default_message = _("This actor does not offer this service.")


class ActorNotBookable(ValidationFailed):
    code = "actor_not_bookable"
    default_message = _("This actor does not take bookings.")
