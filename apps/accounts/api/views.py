from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from apps.accounts import services
from apps.accounts.errors import EmailTaken
from apps.accounts.models import User
from apps.accounts.permissions import (
    IsCompanyManagerAnywhere,
    company_ids,
    forget_memberships,
    require_may_edit_person,
    require_may_grant,
    resolve_company_id,
)
from apps.accounts.throttles import LoginAddressThrottle, LoginEmailThrottle
from apps.companies.models import MANAGING_ROLES, Company, Membership
from apps.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from apps.core.idempotency import idempotent

from .schema import (
    COMPANY_NOT_FOUND,
    CREATE_NOT_FOUND,
    LOGIN_INVALID,
    LOGIN_THROTTLED,
    PEOPLE_FORBIDDEN,
    REMOVE_INVALID,
    LoginAnswerSerializer,
)
from .serializers import (
    LoginInputSerializer,
    MeSerializer,
    RegisterInputSerializer,
    UserCreateInputSerializer,
    UserSerializer,
    UserUpdateInputSerializer,
)


class InvalidCredentials(DomainError):
    code = "invalid_credentials"

    def __init__(self):
        super().__init__(_("Email or password is incorrect."))


class UserViewSet(viewsets.GenericViewSet):
    """Sign-in, the current user, self-registration and staff's people."""

    serializer_class = UserSerializer
    queryset = User.objects.all()

    def get_permissions(self):
        if self.action in ("login", "register"):
            return [AllowAny()]
        # Each action checks the role against the company it acts on, so
        # another company's objects answer 404 and a role that may not act
        # in the requester's own company 403.
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.action == "register":
            self.throttle_scope = "register"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        """People of the requester's companies.

        Lists show the companies the requester manages; one person is looked
        up in all of the requester's companies, so someone of another company
        answers 404 and someone of the requester's own company 403 when the
        role may not act (see `get_object`).
        """
        user = self.request.user
        queryset = User.objects.all()
        if not user.is_superuser:
            roles = MANAGING_ROLES if self.action == "list" else None
            queryset = queryset.filter(
                memberships__company_id__in=company_ids(user, roles)
            )
        return queryset.distinct().order_by("email")

    def get_object(self):
        target = super().get_object()
        user = self.request.user
        if user.is_superuser:
            return target
        managed = company_ids(user, MANAGING_ROLES)
        if not target.memberships.filter(company_id__in=managed).exists():
            raise Forbidden()
        return target

    @extend_schema(
        request=LoginInputSerializer,
        responses={
            200: LoginAnswerSerializer,
            400: LOGIN_INVALID,
            429: LOGIN_THROTTLED,
        },
    )
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

    @extend_schema(request=None, responses={204: None})
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

    @extend_schema(
        request=RegisterInputSerializer,
        responses={201: UserSerializer, 404: COMPANY_NOT_FOUND},
    )
    @action(detail=False, methods=["post"], url_path="register")
    def register(self, request):
        # An existing email with its password joins the company, so this is
        # a password check too: failures count with the login's, and a
        # throttled request is refused before an idempotency key would keep
        # the refusal as its answer.
        throttles = [LoginAddressThrottle(), LoginEmailThrottle()]
        for throttle in throttles:
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
        return self._register(request, throttles)

    # `_register` replays keys; the schema reads the mark on the action.
    register.is_idempotent = True

    @idempotent
    def _register(self, request, throttles):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        company = Company.objects.filter(
            slug=data.pop("company"), is_active=True
        ).first()
        if company is None:
            raise NotFound(_("No company with this slug."), code="company_not_found")

        try:
            user = services.customer_register(
                company=company,
                email=data["email"],
                name=data["name"],
                phone=str(data.get("phone") or ""),
                password=data["password"],
                language=data.get("language", ""),
            )
        except EmailTaken:
            for throttle in throttles:
                throttle.record_failure(request, self)
            raise
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("company", int, description="company id")],
        responses={200: UserSerializer(many=True), 403: PEOPLE_FORBIDDEN},
    )
    def list(self, request):
        queryset = self.get_queryset()
        company = request.query_params.get("company")
        if company is not None:
            company_id = resolve_company_id(request.user, company, MANAGING_ROLES)
            queryset = queryset.filter(memberships__company_id=company_id)
        elif not IsCompanyManagerAnywhere().has_permission(request, self):
            raise Forbidden()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(UserSerializer(page, many=True).data)

    @extend_schema(responses={200: UserSerializer, 403: PEOPLE_FORBIDDEN})
    def retrieve(self, request, pk=None):
        return Response(UserSerializer(self.get_object()).data)

    @extend_schema(
        request=UserCreateInputSerializer,
        responses={201: UserSerializer, 404: CREATE_NOT_FOUND},
    )
    @idempotent
    def create(self, request):
        serializer = UserCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        company_id = data.pop("company", None)
        role = data.pop("role", None)
        company = None
        if company_id is not None:
            require_may_grant(request.user, company_id, role)
            # The super admin passes the role check for any id, real or not.
            company = Company.objects.filter(pk=company_id).first()
            if company is None:
                raise NotFound()
        elif not IsCompanyManagerAnywhere().has_permission(request, self):
            raise Forbidden()

        with transaction.atomic():
            user = services.user_create(
                email=data["email"],
                name=data["name"],
                phone=str(data.get("phone") or ""),
                language=data.get("language", ""),
                password=data.get("password"),
            )
            if company is not None:
                services.membership_create(user=user, company=company, role=role)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateInputSerializer, responses=UserSerializer)
    def partial_update(self, request, pk=None):
        target = self.get_object()
        require_may_edit_person(request.user, target)
        serializer = UserUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "phone" in data:
            data["phone"] = str(data["phone"] or "")
        user = services.user_update(user=target, data=data)
        return Response(UserSerializer(user).data)

    @extend_schema(responses={204: None, 400: REMOVE_INVALID})
    def destroy(self, request, pk=None):
        """Remove the person from the requester's companies.

        A user left with no membership is deactivated, never deleted, so the
        appointments that name them keep their history.
        """
        target = self.get_object()
        if target.pk == request.user.pk:
            raise ValidationFailed(_("You cannot remove yourself."))
        if target.is_superuser and not request.user.is_superuser:
            raise Forbidden()
        managed = Membership.objects.filter(user=target).select_related("actor_profile")
        if not request.user.is_superuser:
            managed = managed.filter(
                company_id__in=company_ids(request.user, MANAGING_ROLES)
            )
        managed = list(managed)
        for membership in managed:
            require_may_grant(request.user, membership.company_id, membership.role)

        with transaction.atomic():
            for membership in managed:
                services.membership_remove(membership=membership)
            if (
                request.user.is_superuser
                or not target.memberships.filter(is_active=True).exists()
            ):
                target.is_active = False
                target.save(update_fields=["is_active"])
                Token.objects.filter(user=target).delete()
        forget_memberships(target)
        return Response(status=status.HTTP_204_NO_CONTENT)
