"""The project's error family: a machine code, an HTTP status, a message.

Every error the API returns goes through `apps.core.exceptions`, which
renders `{"code", "detail", "fields"}` with `detail` in the request's
language.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the client can act on."""

    status_code = 400
    code = "invalid"
    default_message = _("The request is not valid.")

    def __init__(self, message=None, *, code=None, fields=None, extra=None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.fields = fields
        self.extra = extra or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status_code = 400
    code = "validation_error"
    default_message = _("Some fields are not valid.")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status_code = 403
    code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")
