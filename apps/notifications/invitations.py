"""Calendar invitations (RFC 5545) for confirmation emails. No ORM here."""

from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODUCT_ID = "-//Virtual Secretary//Appointments//EN"


def appointment_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    sequence: int = 0,
    stamp: datetime,
) -> bytes:
    """A one-event calendar a mail client offers to import.

    Times are written in UTC so the file needs no VTIMEZONE block; calendars
    show them in the reader's own zone. `sequence` grows with each
    reschedule so a calendar replaces the earlier copy with the same `uid`.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("sequence", sequence)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    calendar.add_component(event)
    return calendar.to_ical()
