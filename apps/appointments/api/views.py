from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.permissions import (
    company_ids,
    require_role,
    resolve_company_id,
    role_in,
)
from apps.appointments import selectors, services
from apps.appointments import series as series_services
from apps.appointments.models import (
    Actor,
    ActorService,
    Appointment,
    AppointmentSeries,
    Service,
    TimeBlock,
    WorkingHours,
)
from apps.companies.models import MANAGING_ROLES, STAFF_ROLES, Company, Membership, Role
from apps.core.errors import Forbidden, NotFound, ValidationFailed
from apps.core.idempotency import idempotent
from apps.core.parsing import is_id, parse_day, parse_local_datetime
from apps.core.renderers import FastJSONRenderer

from .schema import (
    AVAILABILITY,
    AVAILABILITY_PARAMETERS,
    BOOKING,
    BOOKING_CONFLICT,
    BOOKING_FORBIDDEN,
    BOOKING_INVALID,
    LIST_PARAMETERS,
    NOT_VISIBLE,
    RESCHEDULE_CONFLICT,
    TRANSITION_CONFLICT,
    SeriesCancelledSerializer,
)
from .serializers import (
    ActorCreateSerializer,
    ActorSerializer,
    ActorServiceSerializer,
    AppointmentCreateSerializer,
    AppointmentSerializer,
    AppointmentUpdateSerializer,
    HistorySerializer,
    ReasonSerializer,
    RescheduleSerializer,
    SeriesCancelSerializer,
    SeriesSerializer,
    ServiceByActorSerializer,
    ServiceSerializer,
    TimeBlockSerializer,
    WorkingHoursSerializer,
    as_local,
)


def _company_filter(request, queryset, field="company_id"):
    """Apply `?company=` when given (a visible company, or nothing matches)."""
    company = request.query_params.get("company")
    if company:
        if not is_id(company):
            raise ValidationFailed(
                fields={"company": [_("A valid company id is required.")]}
            )
        queryset = queryset.filter(**{field: int(company)})
    return queryset


def _visible(user, roles=None) -> Q:
    if user.is_superuser:
        return Q()
    return Q(company_id__in=company_ids(user, roles))


def _customer_only(user, company_id: int) -> bool:
    return not user.is_superuser and role_in(user, company_id) == Role.CUSTOMER


class ScopedViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_actor(self, actor_id) -> Actor:
        """An actor of a company the user can see, else 404."""
        try:
            actor_id = int(actor_id)
        except (TypeError, ValueError):
            raise ValidationFailed(
                fields={"actor": [_("A valid actor id is required.")]}
            ) from None
        actor = (
            Actor.objects.select_related("company")
            .filter(_visible(self.request.user), pk=actor_id)
            .first()
        )
        if actor is None:
            raise NotFound(_("Actor not found."))
        return actor


class ActorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ActorSerializer

    def get_queryset(self):
        user = self.request.user
        queryset = Actor.objects.filter(_visible(user))
        if not user.is_superuser:
            staff_of = company_ids(user, STAFF_ROLES)
            queryset = queryset.filter(Q(company_id__in=staff_of) | Q(is_bookable=True))
        return _company_filter(self.request, queryset).order_by("display_name", "id")

    @extend_schema(request=ActorCreateSerializer, responses={201: ActorSerializer})
    @idempotent
    def create(self, request):
        serializer = ActorCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company_id = resolve_company_id(
            request.user, data.get("company"), MANAGING_ROLES
        )
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            raise ValidationFailed(fields={"user": [_("No active user matches.")]})

        membership = Membership.objects.filter(user=user, company_id=company_id).first()
        if membership is None:
            membership = Membership.objects.create(
                user=user, company_id=company_id, role=Role.ACTOR
            )
        elif membership.role != Role.ACTOR:
            if membership.role in MANAGING_ROLES and not request.user.is_superuser:
                require_role(request.user, company_id, [Role.ADMIN])
            membership.role = Role.ACTOR
            membership.save(update_fields=["role", "updated_at"])
        actor = Actor.objects.get(membership=membership)
        for name in ("display_name", "is_bookable", "color"):
            if name in data:
                setattr(actor, name, data[name])
        actor.save()
        return Response(ActorSerializer(actor).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        actor = self.get_object()
        if actor.user_id != request.user.id:
            require_role(request.user, actor.company_id, MANAGING_ROLES)
        serializer = ActorSerializer(actor, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ServiceSerializer

    def get_queryset(self):
        user = self.request.user
        queryset = Service.objects.filter(_visible(user)).select_related("company")
        if not user.is_superuser:
            staff_of = company_ids(user, STAFF_ROLES)
            queryset = queryset.filter(Q(company_id__in=staff_of) | Q(is_active=True))
        active = self.request.query_params.get("is_active")
        if active in ("true", "false"):
            queryset = queryset.filter(is_active=active == "true")
        return _company_filter(self.request, queryset).order_by("name", "id")

    @idempotent
    def create(self, request):
        serializer = ServiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company_id = resolve_company_id(
            request.user,
            serializer.validated_data.pop("company_id", None),
            MANAGING_ROLES,
        )
        service = serializer.save(company_id=company_id)
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        service = self.get_object()
        require_role(request.user, service.company_id, MANAGING_ROLES)
        serializer = ServiceSerializer(service, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data.pop("company_id", None)
        serializer.save()
        return Response(ServiceSerializer(service).data)

    def destroy(self, request, pk=None):
        """Delete a service never booked; one with appointments is deactivated,
        so its history stays readable."""
        service = self.get_object()
        require_role(request.user, service.company_id, MANAGING_ROLES)
        if service.appointments.exists():
            service.is_active = False
            service.save(update_fields=["is_active", "updated_at"])
        else:
            service.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OpenApiParameter("actor", int, required=True)],
        responses={200: ServiceByActorSerializer(many=True), 404: NOT_VISIBLE},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def by_actor(self, request):
        actor = self.get_actor(request.query_params.get("actor"))
        offers = (
            ActorService.objects.filter(
                actor=actor, is_active=True, service__is_active=True
            )
            .select_related("service", "company")
            .order_by("service__name")
        )
        return Response(ServiceByActorSerializer(offers, many=True).data)


class ActorServiceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    serializer_class = ActorServiceSerializer

    def get_queryset(self):
        queryset = ActorService.objects.filter(_visible(self.request.user))
        actor = self.request.query_params.get("actor")
        if actor and is_id(actor):
            queryset = queryset.filter(actor_id=int(actor))
        return _company_filter(self.request, queryset).order_by(
            "actor_id", "service_id"
        )

    @idempotent
    def create(self, request):
        serializer = ActorServiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor, service = data["actor"], data["service"]
        if not request.user.is_superuser and not (
            role_in(request.user, actor.company_id)
            and role_in(request.user, service.company_id)
        ):
            raise NotFound()
        if actor.company_id != service.company_id:
            raise ValidationFailed(
                fields={"service": [_("The service belongs to another company.")]}
            )
        require_role(request.user, actor.company_id, MANAGING_ROLES)
        if ActorService.objects.filter(actor=actor, service=service).exists():
            raise ValidationFailed(
                fields={"service": [_("The actor already offers this service.")]}
            )
        offer = serializer.save(company_id=actor.company_id)
        return Response(
            ActorServiceSerializer(offer).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        offer = self.get_object()
        require_role(request.user, offer.company_id, MANAGING_ROLES)
        data = {
            key: value
            for key, value in request.data.items()
            if key not in ("actor", "service")
        }
        serializer = ActorServiceSerializer(offer, data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)

    def destroy(self, request, pk=None):
        offer = self.get_object()
        require_role(request.user, offer.company_id, MANAGING_ROLES)
        offer.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkingHoursViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    serializer_class = WorkingHoursSerializer

    def get_queryset(self):
        queryset = WorkingHours.objects.filter(_visible(self.request.user))
        actor = self.request.query_params.get("actor")
        if actor and is_id(actor):
            queryset = queryset.filter(actor_id=int(actor))
        return _company_filter(self.request, queryset).order_by(
            "actor_id", "weekday", "start_time"
        )

    @idempotent
    def create(self, request):
        serializer = WorkingHoursSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = self.get_actor(data["actor"].pk)
        hours = services.working_hours_create(
            actor=actor,
            weekday=data["weekday"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            by=request.user,
        )
        return Response(
            WorkingHoursSerializer(hours).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, pk=None):
        hours = self.get_object()
        serializer = WorkingHoursSerializer(hours, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("actor", None)
        hours = services.working_hours_update(hours=hours, data=data, by=request.user)
        return Response(WorkingHoursSerializer(hours).data)

    def destroy(self, request, pk=None):
        services.working_hours_delete(hours=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimeBlockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = TimeBlockSerializer

    def get_queryset(self):
        queryset = TimeBlock.objects.filter(
            _visible(self.request.user, STAFF_ROLES)
        ).select_related("company", "actor")
        actor = self.request.query_params.get("actor")
        if actor and is_id(actor):
            queryset = queryset.filter(actor_id=int(actor))
        return _company_filter(self.request, queryset).order_by("start", "id")

    @idempotent
    def create(self, request):
        serializer = TimeBlockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = self.get_actor(data["actor"].pk)
        tz = actor.company.tzinfo
        block = services.time_block_create(
            actor=actor,
            start=parse_local_datetime(data["start"], tz, "start"),
            end=parse_local_datetime(data["end"], tz, "end"),
            reason=data.get("reason", ""),
            recurrence=data.get("recurrence"),
            by=request.user,
        )
        return Response(TimeBlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        block = self.get_object()
        serializer = TimeBlockSerializer(block, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("actor", None)
        tz = block.company.tzinfo
        for name in ("start", "end"):
            if name in data:
                data[name] = parse_local_datetime(data[name], tz, name)
        block = services.time_block_update(block=block, data=data, by=request.user)
        return Response(TimeBlockSerializer(block).data)

    def destroy(self, request, pk=None):
        services.time_block_delete(block=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvailabilityView(APIView):
    """Free slots of one actor, or of every bookable actor offering a service."""

    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        responses={200: AVAILABILITY, 404: NOT_VISIBLE},
        parameters=AVAILABILITY_PARAMETERS,
    )
    def get(self, request):
        params = request.query_params
        service_id = params.get("service")
        if not service_id or not is_id(service_id):
            raise ValidationFailed(
                fields={"service": [_("A valid service id is required.")]}
            )
        service = (
            Service.objects.select_related("company")
            .filter(_visible(request.user), pk=int(service_id))
            .first()
        )
        if service is None:
            raise NotFound(_("Service not found."))
        company = service.company
        actor_id = params.get("actor")
        if actor_id is not None and not is_id(actor_id):
            raise ValidationFailed(
                fields={"actor": [_("A valid actor id is required.")]}
            )

        today = timezone.localtime(timezone.now(), company.tzinfo).date()
        date_from = parse_day(params.get("date_from"), "date_from") or today
        date_to = parse_day(params.get("date_to"), "date_to") or date_from
        if date_to < date_from:
            raise ValidationFailed(
                fields={"date_to": [_("The end date is before the start date.")]}
            )
        max_days = settings.AVAILABILITY_MAX_RANGE_DAYS
        if (date_to - date_from).days + 1 > max_days:
            raise ValidationFailed(
                fields={
                    "date_to": [
                        _("The range may span at most %(days)d days.")
                        % {"days": max_days}
                    ]
                }
            )

        offers = list(
            selectors.offers_for_service(
                service_id=service.id,
                actor_id=int(actor_id) if actor_id is not None else None,
            )
        )
        if actor_id is not None and not offers:
            actor = Actor.objects.filter(pk=int(actor_id), company=company).first()
            if actor is None:
                raise NotFound(_("Actor not found."))
            raise services.ServiceNotOffered(
                fields={"service": [str(services.ServiceNotOffered.default_message)]}
            )
        results = selectors.availability(
            company=company, offers=offers, date_from=date_from, date_to=date_to
        )

        def render(slots):
            # Intervals as they are: the engine hands them back aware in the
            # company's zone, and FastJSONRenderer writes each as {start,
            # end} with that offset. A month for twenty actors is thousands.
            return slots

        base = {
            "timezone": company.timezone,
            "service": service.id,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
        }
        if actor_id is not None:
            offer, slots = results[0]
            return Response({**base, "actor": offer.actor_id, "slots": render(slots)})
        return Response(
            {
                **base,
                "actors": [
                    {
                        "actor": offer.actor_id,
                        "display_name": offer.actor.display_name,
                        "slots": render(slots),
                    }
                    for offer, slots in results
                ],
            }
        )


def _read_only_message(field: str) -> str:
    """Why a PATCH of an appointment may not set `field`."""
    if field in ("start", "end"):
        return _("Times change only through reschedule.")
    if field == "status":
        return _(
            "The status changes only through confirm, reject, cancel, complete "
            "and no_show."
        )
    return _("This field cannot be changed; only notes can.")


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class AppointmentViewSet(mixins.ListModelMixin, ScopedViewSet):
    serializer_class = AppointmentSerializer
    queryset = Appointment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        queryset = selectors.appointment_list(user=self.request.user)
        params = self.request.query_params
        for name in ("actor", "customer", "service"):
            value = params.get(name)
            if value:
                if not is_id(value):
                    raise ValidationFailed(
                        fields={name: [_("A valid id is required.")]}
                    )
                queryset = queryset.filter(**{f"{name}_id": int(value)})
        state = params.get("status")
        if state:
            queryset = queryset.filter(status__in=state.split(","))
        zone = None
        for name, lookup in (("date_from", "start__gte"), ("date_to", "start__lt")):
            day = parse_day(params.get(name), name)
            if day is None:
                continue
            if name == "date_to":
                day += timedelta(days=1)
            zone = zone or self._filter_zone()
            queryset = queryset.filter(
                **{lookup: datetime.combine(day, time.min, tzinfo=zone)}
            )
        return _company_filter(self.request, queryset).order_by("start", "id")

    def _filter_zone(self):
        """Dates are local days of the filtered company, else of the user's
        only company, else of the project's default zone."""
        company = self.request.query_params.get("company")
        if company and is_id(company):
            found = Company.objects.filter(pk=int(company)).only("timezone").first()
            if found:
                return found.tzinfo
        companies = {m.company for m in _memberships(self.request.user)}
        if len(companies) == 1:
            return next(iter(companies)).tzinfo
        return timezone.get_default_timezone()

    def get_object(self) -> Appointment:
        queryset = selectors.appointment_list(user=self.request.user)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(AppointmentSerializer(self.get_object()).data)

    @extend_schema(
        request=AppointmentCreateSerializer,
        responses={
            201: BOOKING,
            400: BOOKING_INVALID,
            403: BOOKING_FORBIDDEN,
            404: NOT_VISIBLE,
            409: BOOKING_CONFLICT,
        },
        description=(
            "One appointment, or with `recurrence` a series: "
            "`{series, appointments, skipped}`."
        ),
    )
    @idempotent
    def create(self, request):
        serializer = AppointmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = self.get_actor(data["actor"])
        company = actor.company
        service = Service.objects.filter(pk=data["service"], company=company).first()
        if service is None:
            if Service.objects.filter(
                _visible(request.user), pk=data["service"]
            ).exists():
                raise services.ServiceNotOffered(
                    fields={
                        "service": [str(services.ServiceNotOffered.default_message)]
                    }
                )
            raise NotFound(_("Service not found."))
        customer = self._customer(data.get("customer"), company)
        start = parse_local_datetime(data["start"], company.tzinfo, "start")
        if _customer_only(request.user, company.id):
            from apps.feature_flags.services import require_feature

            require_feature("customer_self_booking", company=company, user=request.user)

        # Any value but null asks for a series, so that `{}`, `[]` or `false`
        # are refused as rules rather than booking a single appointment.
        if data.get("recurrence") is not None:
            result = series_services.series_book(
                actor=actor,
                service=service,
                customer=customer,
                start=start,
                recurrence=data["recurrence"],
                skip_conflicts=data["skip_conflicts"],
                notes=data.get("notes", ""),
                by=request.user,
            )
            body = {
                "series": result.series.id,
                "appointments": AppointmentSerializer(
                    result.appointments, many=True
                ).data,
                "skipped": [
                    {"start": as_local(start, company.tzinfo), "reason": reason}
                    for start, reason in result.skipped
                ],
            }
            return Response(body, status=status.HTTP_201_CREATED)

        appointment = services.appointment_book(
            actor=actor,
            service=service,
            customer=customer,
            start=start,
            notes=data.get("notes", ""),
            by=request.user,
        )
        return Response(
            AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED
        )

    def _customer(self, customer_id, company: Company):
        user = self.request.user
        is_staff_booker = user.is_superuser or role_in(user, company.id) in STAFF_ROLES
        if customer_id is None and is_staff_booker:
            raise ValidationFailed(
                fields={"customer": [_("Name the customer this appointment is for.")]}
            )
        if customer_id is None or customer_id == user.id:
            return user
        if not is_staff_booker:
            raise Forbidden(_("Customers can only book for themselves."))
        customer = User.objects.filter(
            pk=customer_id, is_active=True, memberships__company=company
        ).first()
        if customer is None:
            raise ValidationFailed(
                fields={
                    "customer": [_("The customer is not a member of this company.")]
                }
            )
        return customer

    @extend_schema(request=AppointmentUpdateSerializer, responses=AppointmentSerializer)
    def partial_update(self, request, pk=None):
        appointment = self.get_object()
        serializer = AppointmentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        unknown = set(request.data) - {"notes"}
        if unknown:
            raise ValidationFailed(
                fields={name: [_read_only_message(name)] for name in sorted(unknown)}
            )
        if "notes" in serializer.validated_data:
            appointment.notes = serializer.validated_data["notes"]
            appointment.save(update_fields=["notes", "updated_at"])
        return Response(AppointmentSerializer(appointment).data)

    def _transition(self, request, action_name: str):
        appointment = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_transition(
            appointment=appointment,
            action=action_name,
            by=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: AppointmentSerializer, 409: TRANSITION_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._transition(request, "confirm")

    @extend_schema(
        request=ReasonSerializer,
        responses={200: AppointmentSerializer, 409: TRANSITION_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(request, "reject")

    @extend_schema(
        request=ReasonSerializer,
        responses={200: AppointmentSerializer, 409: TRANSITION_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, "cancel")

    @extend_schema(
        request=ReasonSerializer,
        responses={200: AppointmentSerializer, 409: TRANSITION_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, "complete")

    @extend_schema(
        request=ReasonSerializer,
        responses={200: AppointmentSerializer, 409: TRANSITION_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def no_show(self, request, pk=None):
        return self._transition(request, "no_show")

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: AppointmentSerializer, 409: RESCHEDULE_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        appointment = self.get_object()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        start = parse_local_datetime(
            serializer.validated_data["start"], appointment.company.tzinfo, "start"
        )
        appointment = services.appointment_reschedule(
            appointment=appointment,
            start=start,
            by=request.user,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        appointment = self.get_object()
        rows = appointment.history.select_related("by").order_by("at", "id")
        return Response(
            HistorySerializer(
                rows, many=True, context={"tz": appointment.company.tzinfo}
            ).data
        )


def _memberships(user):
    from apps.accounts.permissions import memberships

    return memberships(user)


class SeriesViewSet(ScopedViewSet):
    """A recurring appointment's occurrences, and cancelling them."""

    serializer_class = SeriesSerializer
    queryset = AppointmentSeries.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        user = self.request.user
        queryset = AppointmentSeries.objects.select_related("company")
        if user.is_superuser:
            return queryset
        return queryset.filter(
            Q(company_id__in=company_ids(user, MANAGING_ROLES))
            | Q(company_id__in=company_ids(user, [Role.ACTOR]), actor__user=user)
            | Q(customer=user)
        )

    def retrieve(self, request, pk=None):
        series = self.get_object()
        return Response(series_services.series_representation(series))

    @extend_schema(request=SeriesCancelSerializer, responses=SeriesCancelledSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        series = self.get_object()
        start_from = request.data.get("from")
        if start_from is not None:
            start_from = parse_local_datetime(start_from, series.company.tzinfo, "from")
        cancelled = series_services.series_cancel(
            series=series,
            by=request.user,
            start_from=start_from,
            reason=str(request.data.get("reason", ""))[:500],
        )
        body = series_services.series_representation(series)
        body["cancelled"] = [appointment.id for appointment in cancelled]
        return Response(body)
