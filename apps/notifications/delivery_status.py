"""The order of Twilio's message statuses. No ORM here.

Twilio posts one status callback per change, but the callbacks may arrive
in any order: a `sent` can land after the `delivered` or the `failed` that
followed it. A status is applied only when it moves the message forward:

    accepted < scheduled < queued < sending < sent < delivered < read
    < failed, undelivered, canceled

The last three are final. They rank above every other status, because a
message Twilio gave up on is not revived by an earlier `sent` arriving
late, and once one of them is stored nothing replaces it, not even another
final one. A status outside this list (Twilio adds some over time) is
not stored.
"""

PROGRESS = ("accepted", "scheduled", "queued", "sending", "sent", "delivered", "read")
FINAL = frozenset({"failed", "undelivered", "canceled"})


def statuses_before(status: str) -> frozenset[str] | None:
    """The stored statuses `status` may replace, `""` (none yet) included;
    None when `status` is not a known one and must be left out."""
    if status in FINAL:
        return frozenset(PROGRESS) | {""}
    if status in PROGRESS:
        return frozenset(PROGRESS[: PROGRESS.index(status)]) | {""}
    return None
