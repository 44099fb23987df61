from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts import selectors as account_selectors
from apps.accounts import services as account_services
from apps.accounts.models import User
from apps.accounts.permissions import (
    IsSuperAdmin,
    company_ids,
    forget_memberships,
    require_may_grant,
    require_role,
)
from apps.companies import selectors
from apps.companies.models import MANAGING_ROLES, Company, Membership, Role
from apps.core.errors import Forbidden, NotFound, ValidationFailed
from apps.core.idempotency import idempotent
from apps.core.schema import IDEMPOTENCY_KEY, KEY_REUSED, error_response

from .schema import (
    MANAGERS_ONLY,
    MEMBER_INVALID,
    MEMBER_REMOVE_INVALID,
    MEMBERS_PARAMETERS,
    STATISTICS_PARAMETERS,
    CompanyStatisticsSerializer,
)
from .serializers import (
    CompanySerializer,
    MembershipCreateInputSerializer,
    MembershipSerializer,
    MembershipUpdateInputSerializer,
)


class CompanyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CompanySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if user.is_superuser:
            return Company.objects.all()
        return Company.objects.filter(id__in=company_ids(user))

    def get_permissions(self):
        if self.action == "create":
            return [IsSuperAdmin()]
        return super().get_permissions()

    @idempotent
    def create(self, request):
        serializer = CompanySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = serializer.save()
        return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        company = self.get_object()
        require_role(request.user, company.id, [Role.ADMIN])
        # Switching a tenant off is the super admin's: a company admin who
        # did it would lose access and could not switch it back on.
        if "is_active" in request.data and not request.user.is_superuser:
            raise Forbidden()
        return super().partial_update(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().update(request, *args, **kwargs)

    @extend_schema(
        parameters=STATISTICS_PARAMETERS,
        responses={200: CompanyStatisticsSerializer, 403: MANAGERS_ONLY},
    )
    @action(detail=True, methods=["get"])
    def statistics(self, request, pk=None):
        company = self.get_object()
        require_role(request.user, company.id, MANAGING_ROLES)
        date_from, date_to = selectors.parse_date_range(
            company,
            request.query_params.get("date_from"),
            request.query_params.get("date_to"),
        )
        return Response(
            selectors.company_statistics(
                company=company, date_from=date_from, date_to=date_to
            )
        )

    def _members_queryset(self, company):
        return Membership.objects.filter(company=company).select_related(
            "user", "actor_profile"
        )

    @extend_schema(
        methods=["GET"],
        parameters=MEMBERS_PARAMETERS,
        responses={200: MembershipSerializer(many=True), 403: MANAGERS_ONLY},
    )
    @extend_schema(
        methods=["POST"],
        request=MembershipCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: MembershipSerializer,
            400: MEMBER_INVALID,
            409: error_response(KEY_REUSED),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        company = self.get_object()
        if request.method == "GET":
            require_role(request.user, company.id, MANAGING_ROLES)
            queryset = self._members_queryset(company).order_by("role", "user__email")
            role = request.query_params.get("role")
            if role:
                queryset = queryset.filter(role=role)
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(
                MembershipSerializer(page, many=True).data
            )
        return self._member_create(request, company)

    @idempotent
    def _member_create(self, request, company):
        serializer = MembershipCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require_may_grant(request.user, company.id, data["role"])
        if "user" in data:
            # An id names someone the requester already sees; anyone else
            # answers like an unknown id. An email may name any person, which
            # is how a customer of another company joins this one.
            user = account_selectors.user_visible_get(
                requester=request.user, user_id=data["user"]
            )
            if user is None:
                raise NotFound()
        else:
            user = User.objects.filter(email__iexact=data["email"]).first()
        if user is None or not user.is_active:
            raise ValidationFailed(
                fields={"user": [_("No active user matches.")]},
            )

        membership = account_services.membership_create(
            user=user, company=company, role=data["role"]
        )
        membership = self._members_queryset(company).get(pk=membership.pk)
        return Response(
            MembershipSerializer(membership).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["PATCH"],
        request=MembershipUpdateInputSerializer,
        responses=MembershipSerializer,
    )
    @extend_schema(
        methods=["DELETE"], responses={204: None, 400: MEMBER_REMOVE_INVALID}
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"members/(?P<member_id>\d+)",
    )
    def member_detail(self, request, pk=None, member_id=None):
        company = self.get_object()
        # The membership is looked up before the role is checked, so another
        # company's membership id answers 404 to every role alike.
        membership = get_object_or_404(self._members_queryset(company), pk=member_id)
        require_may_grant(request.user, company.id, membership.role)

        if request.method == "DELETE":
            if membership.user_id == request.user.id:
                raise ValidationFailed(_("You cannot remove your own membership."))
            account_services.membership_remove(membership=membership)
            forget_memberships(membership.user)
            return Response(status=status.HTTP_204_NO_CONTENT)

        serializer = MembershipUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "role" in data:
            require_may_grant(request.user, company.id, data["role"])
        account_services.membership_update(membership=membership, data=data)
        membership = self._members_queryset(company).get(pk=membership.pk)
        return Response(MembershipSerializer(membership).data)
