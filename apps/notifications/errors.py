"""Delivery errors, split by what the sender should do next."""


class DeliveryError(Exception):
    """A channel could not hand a message over."""

    def __init__(self, message: str, *, code: str = ""):
        self.code = code
        super().__init__(message)


class TemporaryDeliveryError(DeliveryError):
    """The provider may accept the same message later: retry with backoff."""


class PermanentDeliveryError(DeliveryError):
    """Sending again cannot succeed (bad number, rejected address): record it."""
