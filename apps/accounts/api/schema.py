"""The OpenAPI shapes of sign-in's answers, never used to render."""

from rest_framework import serializers

from apps.core.schema import error_response

from .serializers import MeSerializer


class LoginAnswerSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    user = MeSerializer()


LOGIN_INVALID = error_response(
    "`invalid_credentials`, the same for an unknown email and a wrong "
    "password; `validation_error` with `fields` when one is missing."
)
LOGIN_THROTTLED = error_response(
    "`throttled` after repeated failures from the address or for the email; "
    "`Retry-After` says when to try again."
)
COMPANY_NOT_FOUND = error_response(
    "`company_not_found`: no active company has this slug."
)
PEOPLE_FORBIDDEN = error_response(
    "`permission_denied`: only admins and managers of a company, and the super "
    "admin, manage people."
)
CREATE_NOT_FOUND = error_response("`not_found`: no company has this id.")
REMOVE_INVALID = error_response(
    "`validation_error`: the requester cannot remove themselves."
)
