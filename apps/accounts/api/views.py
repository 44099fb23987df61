from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from apps.accounts import services
from apps.accounts.models import User
from apps.accounts.permissions import (
    IsCompanyManagerAnywhere,
    company_ids,
    forget_memberships,
    require_role,
)
from apps.accounts.throttles import LoginAddressThrottle, LoginEmailThrottle
from apps.companies.models import MANAGING_ROLES, Company, Membership, Role
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.core.idempotency import idempotent

from .serializers import (
    LoginInputSerializer,
    MeSerializer,
    RegisterInputSerializer,
    UserCreateInputSerializer,
    UserSerializer,
    UserUpdateInputSerializer,
)

# A manager may give these roles; only an admin may make admins and managers.
ROLES_A_MANAGER_MAY_GRANT = frozenset({Role.ACTOR, Role.CUSTOMER})


class InvalidCredentials(DomainError):
    code = "invalid_credentials"

    def __init__(self):
        super().__init__(_("Email or password is incorrect."))


def check_may_grant(user, company_id: int, role: str) -> None:
    """Admins grant any role; managers only `actor` and `customer`."""
    require_role(user, company_id, MANAGING_ROLES)
    if user.is_superuser:
        return
    from apps.accounts.permissions import role_in

    if role_in(user, company_id) == Role.MANAGER and role not in (
        ROLES_A_MANAGER_MAY_GRANT
    ):
        raise Forbidden()


class UserViewSet(viewsets.GenericViewSet):
    """Sign-in, the current user, self-registration and staff's people."""

    serializer_class = UserSerializer
    queryset = User.objects.all()

    def get_permissions(self):
        if self.action in ("login", "register"):
            return [AllowAny()]
        if self.action in ("logout", "me"):
            return [IsAuthenticated()]
        return [IsAuthenticated(), IsCompanyManagerAnywhere()]

    def get_throttles(self):
        if self.action == "register":
            self.throttle_scope = "register"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        user = self.request.user
        queryset = User.objects.all()
        if not user.is_superuser:
            managed = company_ids(user, MANAGING_ROLES)
            queryset = queryset.filter(memberships__company_id__in=managed).distinct()
        company = self.request.query_params.get("company")
        if company and company.isdigit():
            queryset = queryset.filter(memberships__company_id=int(company)).distinct()
        return queryset.order_by("email")

    @extend_schema(request=LoginInputSerializer, responses={200: MeSerializer})
    @action(detail=False, methods=["post"], url_path="login")
    def login(self, request):
        throttles = [LoginAddressThrottle(), LoginEmailThrottle()]
        for throttle in throttles:
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())

        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["email"].strip().lower(),
            password=serializer.validated_data["password"],
        )
        if user is None:
            for throttle in throttles:
                throttle.record_failure(request, self)
            raise InvalidCredentials()

        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": MeSerializer(user).data})

    @action(detail=False, methods=["post"], url_path="logout")
    def logout(self, request):
        Token.objects.filter(user=request.user).delete()
        if request.session is not None:
            request.session.flush()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=MeSerializer)
    @action(detail=False, methods=["get"], url_path="me")
    def me(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=RegisterInputSerializer, responses={201: UserSerializer})
    @action(detail=False, methods=["post"], url_path="register")
    @idempotent
    def register(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        company = Company.objects.filter(
            slug=data.pop("company"), is_active=True
        ).first()
        if company is None:
            raise NotFound(_("No company with this slug."), code="company_not_found")

        user = services.customer_register(
            company=company,
            email=data["email"],
            name=data["name"],
            phone=str(data.get("phone") or ""),
            password=data["password"],
            language=data.get("language", ""),
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UserSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(UserSerializer(self.get_object()).data)

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserSerializer})
    @idempotent
    def create(self, request):
        serializer = UserCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        company_id = data.pop("company", None)
        role = data.pop("role", None)
        if company_id is not None:
            check_may_grant(request.user, company_id, role)

        with transaction.atomic():
            user = services.user_create(
                email=data["email"],
                name=data["name"],
                phone=str(data.get("phone") or ""),
                language=data.get("language", ""),
                password=data.get("password"),
            )
            if company_id is not None:
                services.membership_create(
                    user=user, company=Company.objects.get(pk=company_id), role=role
                )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateInputSerializer, responses=UserSerializer)
    def partial_update(self, request, pk=None):
        target = self.get_object()
        self._check_may_manage(target)
        serializer = UserUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "phone" in data:
            data["phone"] = str(data["phone"] or "")
        user = services.user_update(user=target, data=data)
        return Response(UserSerializer(user).data)

    def destroy(self, request, pk=None):
        """Remove the person from the requester's companies.

        A user left with no membership is deactivated, never deleted, so the
        appointments that name them keep their history.
        """
        target = self.get_object()
        self._check_may_manage(target)
        with transaction.atomic():
            managed = Membership.objects.filter(user=target)
            if not request.user.is_superuser:
                managed = managed.filter(
                    company_id__in=company_ids(request.user, MANAGING_ROLES)
                )
            managed.delete()
            if not target.memberships.exists() or request.user.is_superuser:
                target.is_active = False
                target.save(update_fields=["is_active"])
                Token.objects.filter(user=target).delete()
        forget_memberships(target)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _check_may_manage(self, target: User) -> None:
        """Managers may change customers and actors only; admins anyone below."""
        user = self.request.user
        if user.is_superuser or target.pk == user.pk:
            return
        if target.is_superuser:
            raise Forbidden()
        shared = Membership.objects.filter(
            user=target, company_id__in=company_ids(user, MANAGING_ROLES)
        ).filter(~Q(role__in=ROLES_A_MANAGER_MAY_GRANT))
        for membership in shared:
            check_may_grant(user, membership.company_id, membership.role)
