"""One exception handler for every API error.

Renders `{"code", "detail", "fields"}` (`fields` only for validation) for
the project's `DomainError`s, DRF's own exceptions and Django's 404 and
permission errors.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .errors import DomainError

logger = logging.getLogger(__name__)

DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def _messages(detail):
    """Flatten DRF error details into lists of strings per field."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_messages(item) for item in detail]
    return [str(detail)]


def _drf_detail(exc: exceptions.APIException) -> str:
    """A human sentence for DRF's built-in exceptions, in the active language."""
    if isinstance(exc, exceptions.ParseError):
        return _("The request body is not valid JSON.")
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Authentication credentials were not provided.")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _("The credentials are not valid.")
    if isinstance(exc, exceptions.PermissionDenied):
        return _("You do not have permission to perform this action.")
    if isinstance(exc, exceptions.NotFound):
        return _("Not found.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("Method %(method)s is not allowed.") % {
            "method": exc.args[0] if exc.args else ""
        }
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Unsupported media type in the request.")
    if isinstance(exc, exceptions.Throttled):
        if exc.wait:
            # DRF has already rounded the wait up to whole seconds.
            return _("Too many requests. Try again in %(seconds)d seconds.") % {
                "seconds": int(exc.wait)
            }
        return _("Too many requests. Try again later.")
    return str(exc.detail)


def error_body(code: str, detail: str, fields=None, extra=None) -> dict:
    body = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = fields
    if extra:
        body.update(extra)
    return body


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error in the project's format."""
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(
            error_body(exc.code, exc.message, exc.fields, exc.extra),
            status=exc.status_code,
        )

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )

    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        fields = _messages(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        body = error_body("validation_error", _("Some fields are not valid."), fields)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)

    code = next(
        (value for cls, value in DRF_CODES.items() if isinstance(exc, cls)),
        "error",
    )
    body = error_body(code, _drf_detail(exc))
    return Response(body, status=exc.status_code, headers=headers)
