"""The staff dashboard, its sign-in page and the customers' appointments page.

Pages are rendered in the signed-in user's language when they chose one
(the language switch saves it), else in the request's language. The
dashboard's data comes from the REST API and the `/ws/notifications/`
socket; the page itself carries only the skeleton and its configuration.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import Http404, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.appointments.models import AppointmentStatus
from apps.companies.models import MANAGING_ROLES
from apps.notifications.services import preference_update

from . import selectors
from .forms import DashboardLoginForm

DAYS_SHOWN = 2
LOWER_CASE_DATE_LANGUAGES = frozenset({"pt-br"})


def in_user_language(view):
    """Render the view in the user's chosen language, if they chose one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        language = (
            user.is_authenticated and user.language
        ) or translation.get_language()
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        response.headers["Content-Language"] = language
        return response

    return wrapper


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), reverse("dashboard:login")
            )
        return view(request, *args, **kwargs)

    return wrapper


def language_choices() -> list[dict]:
    return [
        {"code": code, "name": get_language_info(code)["name_local"]}
        for code, _name in settings.LANGUAGES
    ]


class DashboardLoginView(LoginView):
    template_name = "dashboard/login.html"
    authentication_form = DashboardLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("dashboard:home")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("dashboard:login")


@require_POST
@signed_in
def language_view(request):
    """Save the user's language (as `PATCH preferences/` would) and go back."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose one of the offered languages."))
    preference_update(user=request.user, language=language)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("dashboard:home")
    return redirect(target)


def _chosen_membership(staff: list, requested: str | None):
    if not requested:
        return staff[0]
    for membership in staff:
        if str(membership.company_id) == requested:
            return membership
    # Another company's id, or no id at all: nothing to show, and nothing
    # said about whether it exists.
    raise Http404()


def _day_label(day, today) -> str:
    name = _("Today") if day == today else _("Tomorrow")
    date_text = (
        f"{formats.date_format(day, 'l')}, "
        f"{formats.date_format(day, 'MONTH_DAY_FORMAT')}"
    )
    # Django's catalogue capitalises weekday and month names in every
    # language; Portuguese writes them in lower case inside a sentence.
    if translation.get_language() in LOWER_CASE_DATE_LANGUAGES:
        date_text = date_text.lower()
    return f"{name} · {date_text}"


@signed_in
@in_user_language
def dashboard(request):
    """Today's and tomorrow's appointments per actor, pending requests and
    notifications of one company; customers go to their own list, and a super
    admin who works for no company to the admin site, which shows them every
    company."""
    staff = selectors.staff_memberships(request.user)
    if not staff:
        if request.user.is_superuser and request.user.is_staff:
            return redirect("admin:index")
        return redirect("dashboard:my-appointments")
    membership = _chosen_membership(staff, request.GET.get("company"))
    company = membership.company

    today = selectors.company_today(company)
    actors = selectors.dashboard_actors(membership=membership)
    windows = selectors.day_windows(
        actors=actors, days=selectors.next_days(today, DAYS_SHOWN)
    )
    now = timezone.localtime(timezone.now(), company.tzinfo)
    days = [
        {
            "date": window.day.isoformat(),
            "label": _day_label(window.day, today),
            "start": window.start_minute,
            "end": window.end_minute,
            "hours": list(range(window.start_minute // 60, window.end_minute // 60)),
        }
        for window in windows
    ]
    config = {
        "company": {
            "id": company.id,
            "name": company.name,
            "timezone": company.timezone,
        },
        "role": membership.role,
        "isManager": membership.role in MANAGING_ROLES,
        "language": translation.get_language(),
        "today": today.isoformat(),
        "nowMinute": now.hour * 60 + now.minute,
        "days": days,
        "actors": [
            {"id": actor.id, "name": actor.display_name, "color": actor.color}
            for actor in actors
        ],
        "api": {
            "appointments": "/api/appointments/",
            "notifications": "/api/notifications/",
        },
        "socket": "/ws/notifications/",
        "loginUrl": reverse("dashboard:login"),
        "csrfToken": get_token(request),
        "statuses": dict(AppointmentStatus.choices),
        "strings": {
            "live": _("Live"),
            "connecting": _("Connecting…"),
            "reconnecting": _("Reconnecting…"),
            "confirm": _("Confirm"),
            "reject": _("Reject"),
            "confirmed": _("Appointment confirmed."),
            "rejected": _("Request rejected."),
            "noPending": _("No pending requests."),
            "noNotifications": _("No notifications yet."),
            "noAppointments": _("No appointments."),
            "failed": _("Something went wrong. Try again."),
            "newAppointment": _("New appointment"),
        },
    }
    context = {
        "company": company,
        "memberships": staff,
        "membership": membership,
        "days": days,
        "actors": config["actors"],
        "config": config,
        "languages": language_choices(),
    }
    return render(request, "dashboard/dashboard.html", context)


@signed_in
@in_user_language
def my_appointments(request):
    """A customer's own appointments, in each company's time zone."""
    upcoming, past = selectors.customer_appointments(
        user=request.user, now=timezone.now()
    )
    context = {
        "upcoming": upcoming,
        "past": past,
        "is_staff": bool(selectors.staff_memberships(request.user)),
        "languages": language_choices(),
    }
    return render(request, "dashboard/my_appointments.html", context)
