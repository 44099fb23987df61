"""The `Idempotency-Key` header on creating POSTs.

The first request with a key stores its answer; the same key with the same
body within `IDEMPOTENCY_KEY_TTL_HOURS` gets that answer again and creates
nothing; the same key with another body is refused. Keys are scoped to the
requester: the signed-in user, or for an anonymous request (registration)
the client's address as the throttles see it.

The record is inserted in the same transaction as the work it guards. A
concurrent request with the same key blocks on the unique index until the
first transaction ends, then either reads the stored answer (the first one
committed) or takes the key itself (the first one rolled back).
"""

import functools
import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from .errors import Conflict, ValidationFailed
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _(
        "This Idempotency-Key was already used with a different request."
    )


def _fingerprint(request) -> str:
    body = json.dumps(
        request.data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":")
    )
    raw = f"{request.method}\n{request.path}\n{body}"
    # Keyed, because bodies carry passwords and the stored answer shows the
    # rest of the body: a plain hash could be brute-forced for the password.
    return salted_hmac("idempotency-body", raw, algorithm="sha256").hexdigest()


def _scope(request) -> dict:
    """The lookup that ties a key to its requester."""
    if request.user.is_authenticated:
        return {"user": request.user}
    address = BaseThrottle().get_ident(request) or ""
    client = salted_hmac("idempotency-client", address, algorithm="sha256")
    return {"user": None, "client": client.hexdigest()}


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(record.response_body, status=record.status_code)
    response[REPLAY_HEADER] = "true"
    return response


def idempotent(view_method):
    """Wrap a DRF view method so that a repeated key replays the first answer."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed(
                _("The Idempotency-Key header must have 1 to 255 characters."),
                code="invalid_idempotency_key",
            )

        fingerprint = _fingerprint(request)
        scope = _scope(request)
        expired_before = timezone.now() - timedelta(
            hours=settings.IDEMPOTENCY_KEY_TTL_HOURS
        )
        IdempotencyRecord.objects.filter(
            **scope, key=key, created_at__lt=expired_before
        ).delete()

        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        **scope,
                        key=key,
                        method=request.method,
                        path=request.path[:255],
                        request_hash=fingerprint,
                    )
            except IntegrityError:
                record = IdempotencyRecord.objects.get(**scope, key=key)
                return _replay(record, fingerprint)

            try:
                with transaction.atomic():
                    response = view_method(view, request, *args, **kwargs)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)
            except Exception as exc:  # rendered exactly as the view would
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response

            record.status_code = response.status_code
            record.response_body = json.loads(
                json.dumps(response.data, cls=DjangoJSONEncoder)
            )
            record.save(update_fields=["status_code", "response_body"])
        return response

    # Read by the OpenAPI schema to declare the header and its 409.
    wrapper.is_idempotent = True
    return wrapper
