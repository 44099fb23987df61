from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsSuperAdmin
from apps.core.idempotency import idempotent
from apps.core.schema import error_response

from .. import selectors, services
from ..localization import localization_settings
from .serializers import (
    ActiveFlagsSerializer,
    FlagInputSerializer,
    FlagSerializer,
    FlagUpdateInputSerializer,
    LocalizationSerializer,
)

COMPANY_PARAMETER = OpenApiParameter(
    "company",
    int,
    description="The company to answer for; by default the user's only one.",
)
COMPANY_NOT_VISIBLE = error_response(
    "`not_found`: the `company` does not exist or the user is not one of it."
)


class FlagViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Flags and their rollout settings, for the super admin; the flags of
    the current request, for anyone."""

    serializer_class = FlagSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.flag_list()

    def get_permissions(self):
        if self.action == "active":
            return [AllowAny()]
        return [IsAuthenticated(), IsSuperAdmin()]

    @extend_schema(request=FlagInputSerializer, responses={201: FlagSerializer})
    @idempotent
    def create(self, request):
        serializer = FlagInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = services.flag_create(data=serializer.validated_data, by=request.user)
        body = FlagSerializer(selectors.flag_get(flag.name)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=FlagUpdateInputSerializer, responses=FlagSerializer)
    def partial_update(self, request, name=None):
        flag = self.get_object()
        serializer = FlagUpdateInputSerializer(flag, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.flag_update(flag=flag, data=serializer.validated_data, by=request.user)
        return Response(FlagSerializer(selectors.flag_get(flag.name)).data)

    @extend_schema(
        parameters=[COMPANY_PARAMETER],
        responses={200: ActiveFlagsSerializer, 404: COMPANY_NOT_VISIBLE},
    )
    @action(detail=False, methods=["get"], url_path="active")
    def active(self, request):
        company = selectors.company_in_scope(user=request.user, request=request)
        flags = services.flags_evaluate(request=request, company=company)
        body = {
            "company": company.pk if company is not None else None,
            "flags": flags,
            "switches": selectors.switch_states(),
        }
        return Response(body)


class LocalizationView(APIView):
    """Languages, formats, timezone and currency for the current request."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[COMPANY_PARAMETER],
        responses={200: LocalizationSerializer, 404: COMPANY_NOT_VISIBLE},
    )
    def get(self, request):
        company = selectors.company_in_scope(user=request.user, request=request)
        return Response(localization_settings(company=company))
