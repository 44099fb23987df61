"""The OpenAPI schema's shared parts: the error shape and the errors every
endpoint can give.

`AutoSchema` adds to each operation the error answers that follow from the
view itself (its body, path, authentication, permissions, throttles and the
`Idempotency-Key` header); an endpoint declares the errors of its own logic,
such as a 409 with its codes, with `error_response` in `extend_schema`.
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

from .idempotency import HEADER as IDEMPOTENCY_HEADER

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PAGINATION_PARAMETERS = frozenset({"page", "page_size"})

BAD_REQUEST = (
    "`validation_error` with the messages of each field in `fields`; "
    "`malformed_request` when the body is not valid JSON."
)
NOT_AUTHENTICATED = (
    "`not_authenticated` without credentials; `authentication_failed` with "
    "a token that is not valid."
)
TOKEN_NOT_VALID = "`authentication_failed`: the token sent is not valid."
FORBIDDEN = (
    "`permission_denied`: the requester's role may not do this (with a "
    "session, also a missing CSRF token)."
)
NOT_FOUND = "`not_found`: no such object, or one of a company the requester cannot see."
PAGE_NOT_FOUND = "`not_found`: the page does not exist."
THROTTLED = "`throttled`: too many requests; `Retry-After` says when to try again."
KEY_REUSED = (
    "`idempotency_key_reused`: the Idempotency-Key was already used with another body."
)


class ErrorSerializer(serializers.Serializer):
    """Every error answer; some codes add keys of their own (`reason` for
    `slot_unavailable`, `status` for `invalid_transition`, `feature` for
    `feature_disabled`)."""

    code = serializers.CharField(help_text="Machine code, e.g. `validation_error`.")
    detail = serializers.CharField(help_text="Human text in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only for validation: the messages of each field.",
    )


ERROR_REF = "#/components/schemas/Error"


def error_response(description: str, extra: dict | None = None) -> OpenApiResponse:
    """An error answer in the `Error` shape, for `extend_schema(responses=…)`.

    `extra` maps the keys a code adds to the shape to their JSON schemas.
    """
    if not extra:
        return OpenApiResponse(ErrorSerializer, description=description)
    schema = {"allOf": [{"$ref": ERROR_REF}, {"type": "object", "properties": extra}]}
    return OpenApiResponse(schema, description=description)


IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "The same key with the same body within 24 hours answers the first "
        "answer again and creates nothing; with another body, 409."
    ),
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the errors each view can give."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_idempotent():
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None

        responses = operation["responses"]
        for status, description in self._view_errors(operation):
            responses.setdefault(
                status, self._get_response_for_code(error_response(description), status)
            )
        if self._is_idempotent():
            if "409" in responses:
                responses["409"]["description"] += " " + KEY_REUSED
            else:
                responses["409"] = self._get_response_for_code(
                    error_response(KEY_REUSED), "409"
                )
        operation["responses"] = dict(sorted(responses.items()))
        # Answers built with `extra` only point at the component.
        self.resolve_serializer(ErrorSerializer(), "response")
        return operation

    def _is_idempotent(self) -> bool:
        name = getattr(self.view, "action", None) or self.method.lower()
        handler = getattr(self.view, name, None)
        return getattr(handler, "is_idempotent", False)

    def _view_errors(self, operation) -> list[tuple[str, str]]:
        query = [
            parameter
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
        ]
        # A typed parameter can be malformed; a free string is only matched.
        checked = [
            parameter
            for parameter in query
            if parameter["name"] not in PAGINATION_PARAMETERS
            and (
                parameter["schema"].get("type") in ("integer", "number", "boolean")
                or "format" in parameter["schema"]
            )
        ]
        permissions = self.view.get_permissions()
        needs_user = any(not isinstance(p, AllowAny) for p in permissions)
        restricted = any(
            type(p) not in (AllowAny, IsAuthenticated) for p in permissions
        )

        errors = []
        if "requestBody" in operation or checked:
            errors.append(("400", BAD_REQUEST))
        if self.view.get_authenticators():
            errors.append(("401", NOT_AUTHENTICATED if needs_user else TOKEN_NOT_VALID))
        if restricted or (needs_user and self.method in UNSAFE_METHODS):
            errors.append(("403", FORBIDDEN))
        if "{" in self.path:
            errors.append(("404", NOT_FOUND))
        elif any(parameter["name"] == "page" for parameter in query):
            errors.append(("404", PAGE_NOT_FOUND))
        if self.view.get_throttles():
            errors.append(("429", THROTTLED))
        return errors
