"""Signals the scheduling services send inside their transaction.

Receivers that talk to the outside (notifications, WebSocket pushes) must
write their rows in the same transaction and defer any sending with
`transaction.on_commit`, so a rolled-back change reports nothing.
"""

from django.dispatch import Signal

# Sent after an appointment is created or changes state or time.
# kwargs: appointment (Appointment), event (AppointmentEvent), by (User or
# None for the system), previous (dict with "status" and "start" before the
# change; empty for a new appointment), note (str).
appointment_changed = Signal()

# Sent when free slots of an actor may have changed on some local dates.
# kwargs: company_id (int), actor_id (int), dates (list[date] in the
# company's zone).
availability_changed = Signal()


class AppointmentEvent:
    REQUESTED = "requested"  # created, waiting for approval
    CREATED = "created"  # created already confirmed
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
