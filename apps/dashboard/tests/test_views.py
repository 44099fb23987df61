"""The dashboard's pages through Django's test client, clock frozen."""

import json
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.appointments import services
from apps.companies.models import Role
from apps.core.tests.factories import (
    PASSWORD,
    ActorServiceFactory,
    MembershipFactory,
    ServiceFactory,
    WorkingHoursFactory,
    actor_of,
    full_week,
    member,
)
from apps.dashboard import selectors

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# A Tuesday.
NOW = datetime(2027, 3, 9, 8, 0, tzinfo=SAO_PAULO)
TUESDAY = NOW.date()
WEDNESDAY = datetime(2027, 3, 10).date()
LOGIN = "/dashboard/login/"
HOME = "/dashboard/"
MINE = "/dashboard/my-appointments/"
CONFIG = re.compile(
    r'<script id="dashboard-config" type="application/json">(.*?)</script>', re.S
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_config(response) -> dict:
    return json.loads(CONFIG.search(response.content.decode()).group(1))


def book(tenant, *, customer, start, service=None):
    service = service or ServiceFactory(company=tenant.company, name="Corte")
    ActorServiceFactory(actor=tenant.actor, service=service)
    return services.appointment_book(
        actor=tenant.actor,
        service=service,
        customer=customer,
        start=start,
        by=tenant.manager,
    )


def test_dashboard_sends_anonymous_visitor_to_login(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/login/?next=/dashboard/"


def test_login_page_speaks_portuguese_by_default(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert response["Content-Language"] == "pt-br"
    assert "Entre para ver o seu dia." in response.content.decode()


def test_login_page_follows_accept_language(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "en"
    assert "Sign in to see your day." in response.content.decode()


def test_login_signs_in_and_goes_to_the_dashboard(client, tenant_a):
    response = client.post(
        LOGIN, {"username": "MANAGER@alpha.example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.session["_auth_user_id"] == str(tenant_a.manager.pk)


def test_login_goes_to_next_on_this_site(client, tenant_a):
    response = client.post(
        LOGIN,
        {
            "username": "manager@alpha.example.com",
            "password": PASSWORD,
            "next": MINE,
        },
    )

    assert response["Location"] == MINE


def test_login_refuses_next_on_another_site(client, tenant_a):
    response = client.post(
        LOGIN,
        {
            "username": "manager@alpha.example.com",
            "password": PASSWORD,
            "next": "https://elsewhere.example.com/",
        },
    )

    assert response["Location"] == HOME


def test_login_with_wrong_password_says_so_and_signs_nobody_in(client, tenant_a):
    response = client.post(
        LOGIN, {"username": "manager@alpha.example.com", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "E-mail ou senha incorretos." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_of_inactive_user_is_refused(client, tenant_a):
    tenant_a.manager.is_active = False
    tenant_a.manager.save(update_fields=["is_active"])

    response = client.post(
        LOGIN, {"username": "manager@alpha.example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures_for_one_email(client, tenant_a):
    for _attempt in range(5):
        client.post(LOGIN, {"username": "manager@alpha.example.com", "password": "x"})

    response = client.post(
        LOGIN, {"username": "manager@alpha.example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert (
        "Muitas tentativas de entrada sem sucesso. Tente de novo em 60 segundos."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_login_failures_count_with_the_api_failures(client, api, tenant_a):
    for _attempt in range(5):
        api.post(
            "/api/auth/users/login/",
            {"email": "manager@alpha.example.com", "password": "x"},
            format="json",
        )

    response = client.post(
        LOGIN, {"username": "manager@alpha.example.com", "password": PASSWORD}
    )

    assert "_auth_user_id" not in client.session
    assert "Muitas tentativas" in response.content.decode()


def test_signed_in_visitor_of_login_page_goes_to_dashboard(tenant_a):
    response = signed_in(tenant_a.manager).get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == HOME


def test_customer_is_sent_to_own_appointments(tenant_a):
    response = signed_in(tenant_a.customer).get(HOME)

    assert response.status_code == 302
    assert response["Location"] == MINE


def test_super_admin_without_a_staff_membership_is_sent_to_the_admin(super_admin):
    response = signed_in(super_admin).get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_super_admin_signing_in_at_the_dashboard_reaches_the_admin(client, super_admin):
    response = client.post(
        LOGIN, {"username": super_admin.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(HOME, 302), ("/admin/", 302)]
    assert response.status_code == 200
    assert response.resolver_match.view_name == "admin:index"


def test_super_admin_who_manages_a_company_sees_its_dashboard(tenant_a, super_admin):
    MembershipFactory(user=super_admin, company=tenant_a.company, role=Role.MANAGER)

    response = signed_in(super_admin).get(HOME)

    assert response.status_code == 200
    assert page_config(response)["company"]["id"] == tenant_a.company.id


def test_dashboard_config_for_a_manager(tenant_a):
    second = actor_of(
        member(tenant_a.company, Role.ACTOR, email="a2@alpha.example.com", name="Ana"),
        tenant_a.company,
    )
    WorkingHoursFactory(
        actor=tenant_a.actor, weekday=1, start_time=time(9), end_time=time(17, 30)
    )
    WorkingHoursFactory(
        actor=second, weekday=2, start_time=time(7, 15), end_time=time(12)
    )

    response = signed_in(tenant_a.manager).get(HOME)

    config = page_config(response)
    assert response.status_code == 200
    assert config["company"] == {
        "id": tenant_a.company.id,
        "name": "Alpha Co",
        "timezone": "America/Sao_Paulo",
    }
    assert config["role"] == "manager"
    assert config["isManager"] is True
    assert config["language"] == "pt-br"
    assert config["today"] == "2027-03-09"
    assert config["nowMinute"] == 8 * 60
    assert config["days"] == [
        {
            "date": "2027-03-09",
            "label": "Hoje · terça-feira, 9 de março",
            "start": 9 * 60,
            "end": 18 * 60,
            "hours": list(range(9, 18)),
        },
        {
            "date": "2027-03-10",
            "label": "Amanhã · quarta-feira, 10 de março",
            "start": 7 * 60,
            "end": 12 * 60,
            "hours": list(range(7, 12)),
        },
    ]
    assert config["actors"] == [
        {"id": second.id, "name": "Ana", "color": "#3b82f6"},
        {
            "id": tenant_a.actor.id,
            "name": tenant_a.actor.display_name,
            "color": "#3b82f6",
        },
    ]
    assert config["socket"] == "/ws/notifications/"
    assert config["statuses"]["pending"] == "Pendente"
    assert config["strings"]["confirm"] == "Confirmar"
    assert len(config["csrfToken"]) == 64


def test_dashboard_config_for_an_actor_lists_only_that_actor(tenant_a):
    member(tenant_a.company, Role.ACTOR, email="a2@alpha.example.com")

    config = page_config(signed_in(tenant_a.actor_user).get(HOME))

    assert [actor["id"] for actor in config["actors"]] == [tenant_a.actor.id]
    assert config["isManager"] is False


def test_dashboard_leaves_out_actors_whose_membership_ended(tenant_a):
    gone = member(tenant_a.company, Role.ACTOR, email="gone@alpha.example.com")
    gone.memberships.update(is_active=False)

    config = page_config(signed_in(tenant_a.manager).get(HOME))

    assert [actor["id"] for actor in config["actors"]] == [tenant_a.actor.id]


def test_dashboard_shows_each_actor_row_on_both_days(tenant_a):
    html = signed_in(tenant_a.manager).get(HOME).content.decode()

    assert html.count(f'data-actor="{tenant_a.actor.id}"') == 2
    assert 'data-date="2027-03-09"' in html
    assert 'data-date="2027-03-10"' in html


def test_dashboard_query_count_is_fixed(tenant_a, django_assert_num_queries):
    for n in range(3):
        member(tenant_a.company, Role.ACTOR, email=f"a{n}@alpha.example.com")
    client = signed_in(tenant_a.manager)

    # Session, user, the company language the middleware looks up,
    # memberships, actors, working hours.
    with django_assert_num_queries(6):
        client.get(HOME)


def test_dashboard_of_two_companies_picks_by_parameter(tenant_a, tenant_b):
    tenant_b.manager.memberships.update(user=tenant_a.manager)
    client = signed_in(tenant_a.manager)

    first = page_config(client.get(HOME))
    second = page_config(client.get(HOME, {"company": tenant_b.company.id}))

    assert first["company"]["id"] == tenant_a.company.id
    assert second["company"]["id"] == tenant_b.company.id
    assert [a["id"] for a in second["actors"]] == [tenant_b.actor.id]


def test_dashboard_of_another_company_answers_404(tenant_a, tenant_b):
    client = signed_in(tenant_a.manager)

    assert client.get(HOME, {"company": tenant_b.company.id}).status_code == 404
    assert client.get(HOME, {"company": "x"}).status_code == 404


def test_dashboard_of_a_company_where_user_is_customer_answers_404(tenant_a, tenant_b):
    tenant_b.customer.memberships.update(user=tenant_a.manager)

    response = signed_in(tenant_a.manager).get(HOME, {"company": tenant_b.company.id})

    assert response.status_code == 404


def test_language_switch_saves_the_choice_and_renders_english(tenant_a):
    client = signed_in(tenant_a.manager)

    switched = client.post(
        "/dashboard/language/", {"language": "en", "next": "/dashboard/?company=1"}
    )
    page = client.get(HOME)

    tenant_a.manager.refresh_from_db()
    assert switched.status_code == 302
    assert switched["Location"] == "/dashboard/?company=1"
    assert tenant_a.manager.language == "en"
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    assert "Pending requests" in page.content.decode()
    assert page_config(page)["days"][0]["label"] == "Today · Tuesday, March 9"


def test_user_language_wins_over_the_browser_header(tenant_a):
    tenant_a.manager.language = "en"
    tenant_a.manager.save(update_fields=["language"])

    page = signed_in(tenant_a.manager).get(HOME, HTTP_ACCEPT_LANGUAGE="pt-BR")

    assert page["Content-Language"] == "en"


def test_language_switch_rejects_an_unknown_language(tenant_a):
    client = signed_in(tenant_a.manager)

    response = client.post("/dashboard/language/", {"language": "fr"})

    tenant_a.manager.refresh_from_db()
    assert response.status_code == 400
    assert response.content.decode() == "Escolha um dos idiomas oferecidos."
    assert tenant_a.manager.language == ""


def test_language_switch_never_sends_to_another_site(tenant_a):
    response = signed_in(tenant_a.manager).post(
        "/dashboard/language/",
        {"language": "en", "next": "https://elsewhere.example.com/"},
    )

    assert response["Location"] == HOME


def test_language_switch_needs_a_post_and_a_session(client, tenant_a):
    assert signed_in(tenant_a.manager).get("/dashboard/language/").status_code == 405
    response = client.post("/dashboard/language/", {"language": "en"})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_language_switch_checks_csrf(tenant_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.manager)

    response = client.post("/dashboard/language/", {"language": "en"})

    tenant_a.manager.refresh_from_db()
    assert response.status_code == 403
    assert tenant_a.manager.language == ""


def test_logout_ends_the_session(tenant_a):
    client = signed_in(tenant_a.manager)

    response = client.post("/dashboard/logout/")

    assert response["Location"] == "/dashboard/login/"
    assert client.get(HOME)["Location"] == "/dashboard/login/?next=/dashboard/"


def test_my_appointments_lists_only_own_in_company_time(tenant_a):
    full_week(tenant_a.actor, time(9), time(18))
    service = ServiceFactory(company=tenant_a.company, name="Corte")
    mine = book(
        tenant_a,
        customer=tenant_a.customer,
        start=datetime(2027, 3, 10, 10, 0, tzinfo=SAO_PAULO),
        service=service,
    )
    theirs = services.appointment_book(
        actor=tenant_a.actor,
        service=service,
        customer=tenant_a.other_customer,
        start=datetime(2027, 3, 10, 11, 0, tzinfo=SAO_PAULO),
        by=tenant_a.manager,
    )

    response = signed_in(tenant_a.customer).get(MINE)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-appointment="{mine.id}"' in html
    assert f'data-appointment="{theirs.id}"' not in html
    assert "10/03/2027 10:00–10:30" in html
    assert "Confirmado" in html
    assert "Ir para o painel" not in html


def test_my_appointments_of_staff_links_to_the_dashboard(tenant_a):
    html = signed_in(tenant_a.manager).get(MINE).content.decode()

    assert "Ir para o painel" in html
    assert "Você não tem agendamentos futuros." in html


def test_customer_appointments_split_upcoming_and_past(tenant_a):
    full_week(tenant_a.actor, time(0), time(0))
    service = ServiceFactory(company=tenant_a.company, name="Corte")
    ActorServiceFactory(actor=tenant_a.actor, service=service)
    early = services.appointment_book(
        actor=tenant_a.actor,
        service=service,
        customer=tenant_a.customer,
        start=datetime(2027, 3, 9, 8, 30, tzinfo=SAO_PAULO),
        by=tenant_a.manager,
    )
    late = services.appointment_book(
        actor=tenant_a.actor,
        service=service,
        customer=tenant_a.customer,
        start=datetime(2027, 3, 9, 12, 0, tzinfo=SAO_PAULO),
        by=tenant_a.manager,
    )

    upcoming, past = selectors.customer_appointments(
        user=tenant_a.customer, now=datetime(2027, 3, 9, 10, 0, tzinfo=SAO_PAULO)
    )

    assert [a.id for a in upcoming] == [late.id]
    assert [a.id for a in past] == [early.id]


def test_day_windows_cover_shifts_past_midnight(tenant_a):
    WorkingHoursFactory(
        actor=tenant_a.actor, weekday=1, start_time=time(22, 30), end_time=time(1, 30)
    )

    windows = selectors.day_windows(actors=[tenant_a.actor], days=[TUESDAY, WEDNESDAY])

    assert windows == [
        selectors.DayWindow(TUESDAY, 22 * 60, 24 * 60),
        selectors.DayWindow(WEDNESDAY, 0, 2 * 60),
    ]


def test_day_windows_without_hours_show_the_default_day(tenant_a):
    windows = selectors.day_windows(actors=[tenant_a.actor], days=[TUESDAY])

    assert windows == [selectors.DayWindow(TUESDAY, 8 * 60, 20 * 60)]


def test_day_windows_treat_midnight_end_as_end_of_day(tenant_a):
    WorkingHoursFactory(
        actor=tenant_a.actor, weekday=1, start_time=time(18), end_time=time(0)
    )

    windows = selectors.day_windows(actors=[tenant_a.actor], days=[TUESDAY, WEDNESDAY])

    assert windows == [
        selectors.DayWindow(TUESDAY, 18 * 60, 24 * 60),
        selectors.DayWindow(WEDNESDAY, 8 * 60, 20 * 60),
    ]
