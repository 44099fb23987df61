"""Calendar invitations (RFC 5545) for appointment emails, and their
cancellations. No ORM here."""

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress

PRODUCT_ID = "-//Virtual Secretary//Appointments//EN"
PUBLISH = "PUBLISH"
CANCEL = "CANCEL"


def appointment_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    organizer: str = "",
    attendee: str = "",
    sequence: int = 0,
    stamp: datetime,
    method: str = PUBLISH,
) -> bytes:
    """A one-event calendar a mail client offers to import, or, with
    `method=CANCEL`, one that removes the event it published before.

    Times are written in UTC so the file needs no VTIMEZONE block; calendars
    show them in the reader's own zone. `sequence` grows with each change so
    a calendar replaces (or, for a cancellation, deletes) the earlier copy
    with the same `uid`; it must exceed the sequence of that copy.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("sequence", sequence)
    if organizer:
        event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    if method == CANCEL:
        event.add("status", "CANCELLED")
        # A cancellation names the attendees it removes (RFC 5546, 3.2.5);
        # a publication has none.
        if attendee:
            event.add("attendee", vCalAddress(f"mailto:{attendee}"))
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    calendar.add_component(event)
    return calendar.to_ical()
