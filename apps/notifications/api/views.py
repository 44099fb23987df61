from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from apps.core.errors import Forbidden
from apps.core.schema import error_response

from .. import selectors, services
from ..models import Notification
from .serializers import (
    NotificationListQuerySerializer,
    NotificationSerializer,
    PreferenceInputSerializer,
    PreferenceSerializer,
)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The requester's own in-app notifications."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        query = NotificationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.notification_list(
            user=self.request.user, unread=query.validated_data["unread"]
        )

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_mark_all_read(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=PreferenceSerializer)
    @extend_schema(
        methods=["PATCH"],
        request=PreferenceInputSerializer,
        responses=PreferenceSerializer,
    )
    @action(detail=False, methods=["get", "patch"])
    def preferences(self, request):
        if request.method == "PATCH":
            data = PreferenceInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.preference_update(user=request.user, **data.validated_data)
        preference = selectors.preference_get(user=request.user)
        return Response(PreferenceSerializer(preference).data)


class TwilioWebhookView(APIView):
    """Base for Twilio's callbacks: only a valid signature gets in.

    Twilio signs the full public URL it called plus the POST parameters
    with the account's auth token; behind a proxy the URL the app sees is
    not that one, so it is rebuilt from `TWILIO_WEBHOOK_BASE_URL`.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.signature_is_valid(request):
            raise Forbidden()

    @staticmethod
    def signature_is_valid(request) -> bool:
        token = settings.TWILIO_AUTH_TOKEN
        signature = request.headers.get("X-Twilio-Signature", "")
        if not token or not signature:
            return False
        base = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/")
        url = (base + request.get_full_path()) if base else request.build_absolute_uri()
        # Django's own POST, not DRF's: DRF parses the body by its content
        # type and answers 415 to anything but a form before the signature
        # is judged. Django leaves POST empty for a body that is not a form,
        # and Twilio signs form parameters only, so such a body fails here.
        form = request._request.POST
        params = {key: form.get(key) for key in form}
        return RequestValidator(token).validate(url, params, signature)


BAD_SIGNATURE = error_response(
    "`permission_denied`: the `X-Twilio-Signature` header is missing or wrong; "
    "nothing changes."
)


class WhatsAppStatusView(TwilioWebhookView):
    @extend_schema(request=None, responses={204: None, 403: BAD_SIGNATURE})
    def post(self, request):
        services.whatsapp_status_record(
            sid=request.POST.get("MessageSid", ""),
            status=request.POST.get("MessageStatus", ""),
            error_code=request.POST.get("ErrorCode", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WhatsAppInboundView(TwilioWebhookView):
    @extend_schema(
        request=None,
        responses={(200, "application/xml"): str, 403: BAD_SIGNATURE},
    )
    def post(self, request):
        reply = services.whatsapp_reply_handle(
            from_address=request.POST.get("From", ""),
            body=request.POST.get("Body", ""),
        )
        twiml = MessagingResponse()
        twiml.message(reply.body)
        return HttpResponse(str(twiml), content_type="application/xml")
